namespace Pbx.Telephony.Routing;

public sealed record DndSettings(bool Active);

/// <summary>
/// Do not disturb: with a timeout redirection the call goes to its destination at once, otherwise the caller gets
/// busy. Runs after the always redirection (which already took the call if set) and applies to users only.
/// A redirection-exception caller bypasses the redirection but not DND, so they get busy.
/// </summary>
public sealed class DndModule : IOfferStage
{
    public string Name => "dnd";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        if (context.Party is not RoutingParty.User) return null;
        if (await context.SettingsOfParty<DndSettings>() is not { Active: true }) return null;
        var redirections = await context.SettingsOfParty<RedirectionSettings>();
        if (redirections?.Timeout is { } timeout && !redirections.IsException(context.Call))
            return new RoutingDecision.Redirect(timeout.Destination, "DND makes the timeout redirection immediate");
        return new RoutingDecision.RejectBusy("DND");
    }
}
