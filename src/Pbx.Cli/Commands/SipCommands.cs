using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class SipCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> RegistrationTable = TableWriter.Columns(
        ("USER", "aor"), ("STATE", "reachability"), ("RTT (ms)", "roundTripMs"), ("TRANSPORT", "transport"), ("SOURCE", "source"),
        ("CONTACT", "contact"), ("EXPIRES", "expiresAt"), ("USER AGENT", "userAgent"));

    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> BanTable = TableWriter.Columns(
        ("ADDRESS", "address"), ("SINCE", "since"), ("UNTIL", "until"), ("REASON", "reason"));

    public static Command Registrations(CommandContext context)
    {
        var user = new Option<string?>("--user") { Description = "Only this user's registrations (login ID)" };
        var command = new Command("registrations", "SIP registrations with their keep-alive state (REACHABLE, LAGGED, UNREACHABLE)") { user };
        command.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get,
            parsed.GetValue(user) is { } u ? $"/api/registrations?user={UserCommands.Escape(u)}" : "/api/registrations", null, ct, RegistrationTable));
        return command;
    }

    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> TrunkTable = TableWriter.Columns(
        ("TRUNK", "name"), ("STATE", "state"), ("LAST CODE", "lastStatus"), ("LAST REASON", "lastReason"), ("NEXT ATTEMPT", "nextAttemptAt"),
        ("EXPIRES", "expiresAt"), ("HOST", "host"), ("PORT", "port"), ("TRANSPORT", "transport"));

    public static Command Trunks(CommandContext context)
    {
        var command = new Command("trunks", "SIP trunks (provider accounts) with their registration state (Registered, Failing, Disabled)");
        command.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/trunks", null, ct, TrunkTable));
        return command;
    }

    public static Command Bans(CommandContext context)
    {
        var list = new Command("list", "Addresses banned after repeated failed authentications");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/sip/bans", null, ct, BanTable));
        var address = new Argument<string>("address") { Description = "The banned IPv4 or IPv6 address" };
        var lift = new Command("lift", "Lift a ban") { address };
        lift.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/sip/bans/{UserCommands.Escape(parsed.GetValue(address))}", null, ct,
            doneMessage: $"ban of {parsed.GetValue(address)} lifted"));
        return new Command("bans", "SIP bans: list, lift") { list, lift };
    }
}
