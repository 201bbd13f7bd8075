using System.Net;
using Pbx.Server.Sip;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;

namespace Pbx.Server.Admin;

/// <summary>Registrations with their keep-alive state, and the ban list.</summary>
internal static class SipAdminEndpoints
{
    private sealed record RegistrationView(
        string Aor, string Contact, string Transport, string Source, string? UserAgent, string? InstanceId, double Q,
        DateTimeOffset ExpiresAt, string Reachability, double? RoundTripMs, DateTimeOffset? LastAnswer);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/registrations", (string? user, BindingTable bindings, QualifyService qualify, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var rows = bindings.Snapshot()
                .Where(b => b.ExpiresAt > now && (user is null || b.Aor.Equals(user, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(b => b.Aor).ThenBy(b => b.Contact)
                .Select(b =>
                {
                    var state = qualify.StateOf(b);
                    return new RegistrationView(b.Aor, b.Contact, b.Flow.Transport.ToString().ToUpperInvariant(), b.Flow.Remote.ToString(),
                        b.UserAgent, b.InstanceId, b.Q, b.ExpiresAt, state.State.ToString().ToUpperInvariant(),
                        state.RoundTrip?.TotalMilliseconds, state.LastAnswer);
                });
            return TypedResults.Ok(rows.ToList());
        });

        api.MapGet("/sip/bans", (SourceGuard guard) => TypedResults.Ok(guard.Bans.Select(b => new
        {
            address = b.Address.ToString(), since = b.Since, until = b.Until, reason = b.Reason,
        })));

        api.MapDelete("/sip/bans/{address}", (string address, SourceGuard guard) =>
        {
            if (!IPAddress.TryParse(address, out var parsed)) return Problems.Invalid("address", "is not an IPv4 or IPv6 address");
            return guard.Lift(parsed) ? TypedResults.NoContent() : Problems.NotFound("ban of", address);
        });
    }
}
