using Pbx.Calls.Trunks;

namespace Pbx.Server.Admin;

/// <summary>The configured trunks with their registration state (read-only: trunks live in the config file).</summary>
internal static class TrunkEndpoints
{
    private sealed record TrunkView(string Name, string Host, int Port, string Transport, bool Register, string State,
        int? LastStatus, string? LastReason, DateTimeOffset? NextAttemptAt, DateTimeOffset? ExpiresAt);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/trunks", (TrunkService trunks) => TypedResults.Ok(trunks.Snapshot().Select(View).ToList()));

    private static TrunkView View(TrunkStatus trunk) => trunk.State switch
    {
        TrunkRegistrationState.Registered r => Row(trunk, "Registered") with { ExpiresAt = r.ExpiresAt },
        TrunkRegistrationState.Failing f => Row(trunk, "Failing") with { LastStatus = f.LastStatus, LastReason = f.LastReason, NextAttemptAt = f.NextAttemptAt },
        TrunkRegistrationState.Registering => Row(trunk, "Registering"),
        _ => Row(trunk, "Disabled"),
    };

    private static TrunkView Row(TrunkStatus trunk, string state) =>
        new(trunk.Name, trunk.Host, trunk.Port, trunk.Transport, trunk.Register, state, null, null, null, null);
}
