using System.CommandLine;
using System.Text.Json.Nodes;

namespace Pbx.Cli.Commands;

/// <summary>
/// "conferences": scheduled conferences (planned and finished) and moderation of those in progress;
/// "conference-rooms": the permanent dial-in rooms. Participants are written as the API's "user"/"number" with
/// ":moderator" and ":call" flags, in and out, so what "list" prints can be typed back into "add".
/// </summary>
internal static class ConferenceCommands
{
    private static readonly Action<JsonNode, TextWriter> PlannedTable = (node, output) => TableWriter.Columns(
        ("ID", "id"), ("NAME", "name"), ("NEXT START", "nextStart"), ("REPEAT", "repetition"), ("MINUTES", "durationMinutes"), ("PIN", "pin"),
        ("PARTICIPANTS", "participants"))(WithParticipantSpecs(node), output);

    private static readonly Action<JsonNode, TextWriter> FinishedTable = TableWriter.Columns(
        ("ID", "conferenceId"), ("NAME", "name"), ("STARTED", "startedAt"), ("ENDED", "endedAt"), ("PARTICIPANTS", "participantCount"));

    private static readonly Action<JsonNode, TextWriter> LiveTable = (node, output) => TableWriter.Columns(
        ("KEY", "key"), ("NAME", "name"), ("KIND", "kind"), ("PARTICIPANT", "id"), ("NUMBER", "number"), ("USER", "loginId"),
        ("MODERATOR", "isModerator"), ("MUTED", "isMuted"), ("STATE", "state"), ("JOINED", "joinedAt"))(OneRowPerParticipant(node), output);

    private static readonly Action<JsonNode, TextWriter> RoomTable = TableWriter.Columns(
        ("NUMBER", "number"), ("NAME", "name"), ("PIN", "pin"), ("MAX PARTICIPANTS", "maxParticipants"));

    public static IEnumerable<Command> Create(CommandContext context)
    {
        yield return Conferences(context);
        yield return Rooms(context);
    }

    private static Command Conferences(CommandContext context)
    {
        var finished = new Option<bool>("--finished") { Description = "Occurrences that took place, newest first, instead of the planned conferences" };
        var limit = new Option<int?>("--limit") { Description = "At most this many finished occurrences (1-1000, default 100)" };
        var list = new Command("list", "Planned conferences with their next start, or with --finished those that took place") { finished, limit };
        list.SetAction((parsed, ct) =>
        {
            if (!parsed.GetValue(finished)) return context.CallAsync(parsed, HttpMethod.Get, "/api/conferences", null, ct, PlannedTable);
            var path = "/api/conferences?state=finished" + (parsed.GetValue(limit) is { } n ? $"&limit={n}" : "");
            return context.CallAsync(parsed, HttpMethod.Get, path, null, ct, FinishedTable);
        });

        var name = new Option<string>("--name") { Description = "What participants see and hear the conference called", Required = true };
        var start = new Option<string>("--start") { Description = "First start, ISO 8601 with UTC offset, e.g. 2026-03-02T09:30:00+01:00", Required = true };
        var repeat = new Option<string?>("--repeat") { Description = "once (default), daily, weekly or monthly" };
        repeat.AcceptOnlyFromAmong("once", "daily", "weekly", "monthly");
        var duration = new Option<int?>("--duration") { Description = "Minutes each occurrence lasts (default 60)" };
        var pin = new Option<string?>("--pin") { Description = "Dial-in PIN (digits); default: six random digits" };
        var participants = new Option<string[]>("--participant")
        {
            Description = "A login ID or a number, optionally followed by :moderator and/or :call (the PBX rings them), e.g. alice:moderator:call; repeatable",
            AllowMultipleArgumentsPerToken = true,
        };
        var add = new Command("add", "Schedule a conference") { name, start, repeat, duration, pin, participants };
        add.SetAction(async (parsed, ct) =>
        {
            var invitees = new JsonArray();
            foreach (var spec in parsed.GetValue(participants) ?? [])
            {
                if (ParseParticipant(spec) is not { } invitee)
                    return await context.UsageErrorAsync($"participant '{spec}': give a login ID or number, optionally followed by :moderator and/or :call");
                invitees.Add(invitee);
            }
            return await context.CallAsync(parsed, HttpMethod.Post, "/api/conferences", new JsonObject
            {
                ["name"] = parsed.GetValue(name),
                ["start"] = parsed.GetValue(start),
                ["repetition"] = parsed.GetValue(repeat),
                ["durationMinutes"] = parsed.GetValue(duration),
                ["pin"] = parsed.GetValue(pin),
                ["participants"] = invitees,
            }, ct, PlannedTable);
        });

        var id = new Argument<long>("id") { Description = "The conference's ID (ID column of 'pbxctl conferences list')" };
        var show = new Command("show", "Show one scheduled conference") { id };
        show.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, $"/api/conferences/{parsed.GetValue(id)}", null, ct, PlannedTable));

        var remove = new Command("remove", "Delete a scheduled conference (its finished occurrences stay listed)") { id };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/conferences/{parsed.GetValue(id)}", null, ct,
            doneMessage: $"conference {parsed.GetValue(id)} removed"));

        var live = new Command("live", "Conferences in progress, one row per participant");
        live.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/conferences/live", null, ct, LiveTable));

        return new Command("conferences", "Conferences: list, add, show, remove, live, mute, kick")
            { list, add, show, remove, live, Mute(context), Kick(context) };
    }

    private static Command Mute(CommandContext context)
    {
        var (key, participant, moderator) = LiveArguments();
        var off = new Option<bool>("--off") { Description = "Unmute instead" };
        var mute = new Command("mute", "Mute (or with --off unmute) a participant of a conference in progress") { key, participant, off, moderator };
        mute.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, LivePath(parsed, key, participant, "mute"),
            new { muted = !parsed.GetValue(off), moderator = parsed.GetValue(moderator) }, ct,
            doneMessage: $"{parsed.GetValue(participant)} {(parsed.GetValue(off) ? "unmuted" : "muted")}"));
        return mute;
    }

    private static Command Kick(CommandContext context)
    {
        var (key, participant, moderator) = LiveArguments();
        var kick = new Command("kick", "Remove a participant from a conference in progress") { key, participant, moderator };
        kick.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, LivePath(parsed, key, participant, "kick"),
            new { moderator = parsed.GetValue(moderator) }, ct, doneMessage: $"{parsed.GetValue(participant)} removed from {parsed.GetValue(key)}"));
        return kick;
    }

    private static (Argument<string> Key, Argument<string> Participant, Option<string?> Moderator) LiveArguments() => (
        new Argument<string>("key") { Description = "The conference (KEY column of 'pbxctl conferences live')" },
        new Argument<string>("participant") { Description = "The participant (PARTICIPANT column of 'pbxctl conferences live')" },
        new Option<string?>("--moderator") { Description = "Act as this user (login ID), who must moderate the conference; default: as administrator" });

    private static string LivePath(ParseResult parsed, Argument<string> key, Argument<string> participant, string action) =>
        $"/api/conferences/live/{UserCommands.Escape(parsed.GetValue(key))}/participants/{UserCommands.Escape(parsed.GetValue(participant))}/{action}";

    private static Command Rooms(CommandContext context)
    {
        var list = new Command("list", "List dial-in conference rooms");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/conference-rooms", null, ct, RoomTable));

        var number = new Argument<string>("number") { Description = "The number callers dial to enter the room" };
        var name = new Option<string>("--name") { Description = "The room's name", Required = true };
        var pin = new Option<string?>("--pin") { Description = "PIN callers must enter (digits); default: none" };
        var max = new Option<int?>("--max") { Description = "Most participants at once; default: the system limit" };
        var add = new Command("add", "Create a room, or replace the one with this number") { number, name, pin, max };
        add.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Put, $"/api/conference-rooms/{UserCommands.Escape(parsed.GetValue(number))}",
            new { name = parsed.GetValue(name), pin = parsed.GetValue(pin), maxParticipants = parsed.GetValue(max) }, ct, RoomTable));

        var show = new Command("show", "Show one room") { number };
        show.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get,
            $"/api/conference-rooms/{UserCommands.Escape(parsed.GetValue(number))}", null, ct, RoomTable));

        var remove = new Command("remove", "Delete a room") { number };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete,
            $"/api/conference-rooms/{UserCommands.Escape(parsed.GetValue(number))}", null, ct, doneMessage: $"conference room {parsed.GetValue(number)} removed"));

        return new Command("conference-rooms", "Dial-in conference rooms: list, add, show, remove") { list, add, show, remove };
    }

    /// <returns>The API's participant object, or null when a flag is unknown.</returns>
    private static JsonObject? ParseParticipant(string spec)
    {
        var parts = spec.Split(':');
        if (parts[0].Length == 0) return null;
        bool moderator = false, call = false;
        foreach (var flag in parts.Skip(1))
        {
            if (flag.Equals("moderator", StringComparison.OrdinalIgnoreCase)) moderator = true;
            else if (flag.Equals("call", StringComparison.OrdinalIgnoreCase)) call = true;
            else return null;
        }
        var isNumber = parts[0].TrimStart('+').All(char.IsAsciiDigit);
        return new JsonObject
        {
            [isNumber ? "number" : "user"] = parts[0],
            ["moderator"] = moderator,
            ["pbxCalls"] = call,
        };
    }

    private static string ParticipantSpec(JsonNode? participant) =>
        (participant?["user"] ?? participant?["number"])?.ToString()
        + (participant?["moderator"]?.GetValue<bool>() == true ? ":moderator" : "")
        + (participant?["pbxCalls"]?.GetValue<bool>() == true ? ":call" : "");

    // Participants as the specs "add" takes, so each conference stays one table row.
    private static JsonNode WithParticipantSpecs(JsonNode node)
    {
        var rows = new JsonArray();
        foreach (var item in node as JsonArray ?? [node.DeepClone()])
        {
            var row = item!.DeepClone().AsObject();
            row["participants"] = new JsonArray((row["participants"] as JsonArray ?? []).Select(p => (JsonNode?)ParticipantSpec(p)).ToArray());
            rows.Add(row);
        }
        return rows;
    }

    // A conference nobody is in yet still gets a row, so it can be seen at all.
    private static JsonNode OneRowPerParticipant(JsonNode node)
    {
        var rows = new JsonArray();
        foreach (var conference in node as JsonArray ?? [])
        {
            var participants = conference?["participants"] as JsonArray ?? [];
            foreach (var participant in participants.Count > 0 ? participants.ToArray() : [null])
            {
                var row = participant?.DeepClone().AsObject() ?? [];
                row["key"] = conference?["key"]?.DeepClone();
                row["name"] = conference?["name"]?.DeepClone();
                row["kind"] = conference?["kind"]?.DeepClone();
                rows.Add(row);
            }
        }
        return rows;
    }
}
