using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class GroupCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> Table = TableWriter.Columns(
        ("NAME", "name"), ("RING MODE", "ringMode"), ("MEMBERS (in order)", "memberLoginIds"));

    public static Command Create(CommandContext context)
    {
        var name = new Argument<string>("name") { Description = "Group name" };
        var ringMode = new Option<string?>("--ring-mode") { Description = "Parallel (default) or Hunting (one member at a time)" };
        var members = new Argument<string[]>("members") { Description = "Member login IDs in ring order", Arity = ArgumentArity.ZeroOrMore };

        var add = new Command("add", "Create a group") { name, members, ringMode };
        add.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, "/api/groups",
            new { name = parsed.GetValue(name), ringMode = parsed.GetValue(ringMode), members = parsed.GetValue(members) ?? [] }, ct, Table));

        var list = new Command("list", "List groups");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/groups", null, ct, Table));

        var show = new Command("show", "Show one group") { name };
        show.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, $"/api/groups/{UserCommands.Escape(parsed.GetValue(name))}", null, ct, Table));

        var setMembers = new Command("members", "Replace a group's members (in ring order)") { name, members };
        setMembers.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Put, $"/api/groups/{UserCommands.Escape(parsed.GetValue(name))}/members",
            new { members = parsed.GetValue(members) ?? [] }, ct, Table));

        var remove = new Command("remove", "Delete a group (its numbers are released)") { name };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/groups/{UserCommands.Escape(parsed.GetValue(name))}", null, ct,
            doneMessage: $"group {parsed.GetValue(name)} removed"));

        return new Command("group", "Groups: add, list, show, members, remove") { add, list, show, setMembers, remove };
    }
}
