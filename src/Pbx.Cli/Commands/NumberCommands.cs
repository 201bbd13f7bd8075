using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class NumberCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> Table = TableWriter.Columns(
        ("NUMBER", "number"), ("KIND", "kind"), ("USER", "userLoginId"), ("GROUP", "groupName"));

    public static Command Create(CommandContext context)
    {
        var number = new Argument<string>("number") { Description = "An extension (e.g. 100) or an E.164 DID (e.g. +4930123456)" };
        var user = new Option<string?>("--user") { Description = "Assign to this user (login ID)" };
        var group = new Option<string?>("--group") { Description = "Assign to this group (name)" };

        var add = new Command("add", "Assign a number to a user or a group") { number, user, group };
        add.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, "/api/numbers",
            new { number = parsed.GetValue(number), user = parsed.GetValue(user), group = parsed.GetValue(group) }, ct, Table));

        var list = new Command("list", "List numbers and their owners");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/numbers", null, ct, Table));

        var remove = new Command("remove", "Release a number") { number };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/numbers/{UserCommands.Escape(parsed.GetValue(number))}", null, ct,
            doneMessage: $"number {parsed.GetValue(number)} removed"));

        return new Command("number", "Numbers: add, list, remove") { add, list, remove };
    }
}
