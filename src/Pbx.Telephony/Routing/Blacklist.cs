namespace Pbx.Telephony.Routing;

/// <summary>Callers a user or group refuses: exact numbers and prefix ranges (e.g. "+4990" covers every "+4990…").</summary>
public sealed record Blacklist(IReadOnlyList<string> Numbers, IReadOnlyList<string> Prefixes)
{
    public bool Blocks(string callerNumber) =>
        Numbers.Contains(callerNumber, StringComparer.Ordinal)
        || Prefixes.Any(prefix => prefix.Length > 0 && callerNumber.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>First in the pipeline: a blacklisted caller gets busy before any redirection could reveal another number.</summary>
public sealed class BlacklistModule : IOfferStage
{
    public string Name => "blacklist";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        var blacklist = await context.SettingsOfParty<Blacklist>();
        return blacklist is not null && blacklist.Blocks(context.Call.Caller.Number)
            ? new RoutingDecision.RejectBusy($"caller {context.Call.Caller.Number} is blacklisted")
            : null;
    }
}
