using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pbx.Cli.Commands;

/// <summary>
/// Routing features of users and groups: the generic "routing show/set/reset" that takes a feature's JSON as the
/// API documents it, and "dnd" and "redirect" for the everyday changes. The party is a user unless --group is given.
/// </summary>
internal static class RoutingCommands
{
    // For a terminal, not a web page: '+' of E.164 numbers stays readable instead of \u002B.
    private static readonly JsonSerializerOptions Display = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Action<JsonNode, TextWriter> Table = (node, output) => TableWriter.Columns(
        ("FEATURE", "feature"), ("SET", "configured"), ("UPDATED", "updatedAt"), ("SETTINGS", "settings"))(Compact(node), output);

    public static IEnumerable<Command> Create(CommandContext context)
    {
        var party = new Argument<string>("party") { Description = "Login ID of the user (or group name with --group)" };
        var group = new Option<bool>("--group") { Description = "The party is a group, not a user" };
        var feature = new Argument<string>("feature") { Description = "redirection, dnd, ifmc, blacklist, barring, autopilot (users); redirection, blacklist, hunting (groups)" };
        var json = new Argument<string>("settings") { Description = "The feature's settings as JSON (as 'routing show --json' prints them), or - to read them from standard input" };

        var show = new Command("show", "Show every routing feature of a user or group, with defaults where nothing is set") { party, group };
        show.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, Path(parsed, party, group), null, ct, Table));

        var set = new Command("set", "Replace one feature's settings") { party, feature, json, group };
        set.SetAction(async (parsed, ct) =>
        {
            var text = parsed.GetValue(json)!;
            if (text == "-") text = await Console.In.ReadToEndAsync(ct);
            JsonNode? body;
            try { body = JsonNode.Parse(text); }
            catch (JsonException ex) { return await context.UsageErrorAsync($"the settings are not JSON: {ex.Message}"); }
            if (body is not JsonObject) return await context.UsageErrorAsync("the settings must be a JSON object");
            return await context.CallAsync(parsed, HttpMethod.Put, $"{Path(parsed, party, group)}/{UserCommands.Escape(parsed.GetValue(feature))}", body, ct, Table);
        });

        var reset = new Command("reset", "Remove one feature's settings, so its default applies") { party, feature, group };
        reset.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete,
            $"{Path(parsed, party, group)}/{UserCommands.Escape(parsed.GetValue(feature))}", null, ct,
            doneMessage: $"{parsed.GetValue(feature)} of {parsed.GetValue(party)} reset"));

        yield return new Command("routing", "Routing features of users and groups: show, set, reset") { show, set, reset };
        yield return Dnd(context);
        yield return Redirect(context);
    }

    private static Command Dnd(CommandContext context)
    {
        var user = new Argument<string>("login-id") { Description = "The user" };
        var state = new Argument<string>("state") { Description = "on or off" };
        state.AcceptOnlyFromAmong("on", "off");
        var dnd = new Command("dnd", "Turn a user's do-not-disturb on or off") { user, state };
        dnd.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Put, $"/api/users/{UserCommands.Escape(parsed.GetValue(user))}/routing/dnd",
            new { active = parsed.GetValue(state) == "on" }, ct, Table));
        return dnd;
    }

    private static Command Redirect(CommandContext context)
    {
        var party = new Argument<string>("party") { Description = "Login ID of the user (or group name with --group)" };
        var kind = new Argument<string>("kind") { Description = "always, busy or timeout" };
        kind.AcceptOnlyFromAmong("always", "busy", "timeout");
        var to = new Option<string?>("--to") { Description = "An extension, an E.164 number, 'voicemail' (the user's mailbox) or mailbox:<id>" };
        var after = new Option<int?>("--after") { Description = "Seconds to ring before a timeout redirection (5-120; default: unchanged, else 20)" };
        var off = new Option<bool>("--off") { Description = "Turn this redirection off" };
        var group = new Option<bool>("--group") { Description = "The party is a group, not a user" };
        var redirect = new Command("redirect", "Set or clear one of a user's or group's redirections, keeping the others") { party, kind, to, after, off, group };
        redirect.SetAction(async (parsed, ct) =>
        {
            var which = parsed.GetValue(kind)!;
            if (parsed.GetValue(off) == (parsed.GetValue(to) is not null))
                return await context.UsageErrorAsync("give either --to <destination> or --off");
            if (parsed.GetValue(after) is not null && which != "timeout")
                return await context.UsageErrorAsync("--after is only for the timeout redirection");

            var path = $"{Path(parsed, party, group)}/redirection";
            var (current, failed) = await context.GetAsync(parsed, path, ct);
            if (current is null) return failed;
            // Read, change one kind, write back: PUT replaces the whole feature, and the other redirections must survive.
            var settings = current["settings"]?.DeepClone() as JsonObject ?? [];
            if (parsed.GetValue(to) is not { } destination)
            {
                settings[which] = null;
            }
            else
            {
                var target = Destination(destination, parsed.GetValue(party)!);
                settings[which] = which != "timeout" ? target : new JsonObject
                {
                    ["destination"] = target,
                    ["seconds"] = parsed.GetValue(after) ?? settings["timeout"]?["seconds"]?.GetValue<int>() ?? 20,
                };
            }
            return await context.CallAsync(parsed, HttpMethod.Put, path, settings, ct, Table);
        });
        return redirect;
    }

    private static JsonObject Destination(string to, string party) =>
        to.Equals("voicemail", StringComparison.OrdinalIgnoreCase) ? new JsonObject { ["mailbox"] = party }
        : to.StartsWith("mailbox:", StringComparison.OrdinalIgnoreCase) ? new JsonObject { ["mailbox"] = to["mailbox:".Length..] }
        : new JsonObject { ["number"] = to };

    private static string Path(ParseResult parsed, Argument<string> party, Option<bool> group) =>
        $"/api/{(parsed.GetValue(group) ? "groups" : "users")}/{UserCommands.Escape(parsed.GetValue(party))}/routing";

    // Settings objects on one line, so each feature stays one table row.
    private static JsonNode Compact(JsonNode node)
    {
        var rows = new JsonArray();
        foreach (var item in node as JsonArray ?? [node.DeepClone()])
        {
            var row = item!.DeepClone().AsObject();
            row["settings"] = row["settings"] is { } settings ? settings.ToJsonString(Display) : "(off)";
            rows.Add(row);
        }
        return rows;
    }
}
