using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class JournalCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> Table = TableWriter.Columns(
        ("STARTED", "startedAt"), ("USER", "userLoginId"), ("DIR", "direction"), ("LOCAL", "localNumber"), ("REMOTE", "remoteNumber"),
        ("NAME", "remoteName"), ("RESULT", "result"), ("ANSWERED", "answeredAt"), ("ENDED", "endedAt"), ("CAUSE", "cause"));

    public static Command Create(CommandContext context)
    {
        var user = new Option<string?>("--user") { Description = "Only this user's calls (login ID or one of the user's numbers)" };
        var direction = new Option<string?>("--direction") { Description = "Incoming or Outgoing" };
        var result = new Option<string?>("--result") { Description = "Answered, Missed, Busy, Rejected, Failed or Redirected" };
        var from = new Option<string?>("--from") { Description = "Calls started at or after this time (ISO 8601)" };
        var to = new Option<string?>("--to") { Description = "Calls started before this time (ISO 8601)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many rows (default 100)" };

        var journal = new Command("journal", "The call journal, newest first") { user, direction, result, from, to, limit };
        journal.SetAction((parsed, ct) =>
        {
            var query = new List<string>();
            void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) query.Add($"{key}={Uri.EscapeDataString(value)}"); }
            Add("user", parsed.GetValue(user));
            Add("direction", parsed.GetValue(direction));
            Add("result", parsed.GetValue(result));
            Add("from", parsed.GetValue(from));
            Add("to", parsed.GetValue(to));
            Add("limit", parsed.GetValue(limit)?.ToString());
            var path = "/api/journal/calls" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            return context.CallAsync(parsed, HttpMethod.Get, path, null, ct, Table);
        });
        return journal;
    }
}
