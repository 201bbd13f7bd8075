using System.CommandLine;
using System.Text.Json.Nodes;

namespace Pbx.Cli.Commands;

internal static class CallCommands
{
    private static readonly Action<JsonNode, TextWriter> CallTable = TableWriter.Columns(
        ("CALL", "callId"), ("PHASE", "phase"), ("FROM", "callerNumber"), ("TO", "calledNumber"), ("PARTIES", "parties"),
        ("STARTED", "startedAt"), ("ANSWERED", "answeredAt"), ("ON HOLD", "onHold"));

    public static Command Calls(CommandContext context)
    {
        var list = new Command("list", "Calls in progress, and how many RTP port pairs the relay uses");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/calls", null, ct, (node, output) =>
        {
            CallTable(node["calls"] ?? new JsonArray(), output);
            output.WriteLine($"RTP port pairs in use: {node["rtpPortPairsInUse"]} of {node["rtpPortPairsTotal"]}");
        }));

        var callId = new Argument<string>("call") { Description = "The call's id (CALL column of 'pbxctl calls list')" };
        var user = new Option<string>("--user") { Description = "The user whose side moves (login ID)", Required = true };
        var device = new Option<string?>("--device") { Description = "MobileClient, DeskPhone, Softphone, CellNumber or Added; default: all of the user's phones" };
        var move = new Command("move", "Move a user's side of a call to another of the user's devices; the other party stays connected") { callId, user, device };
        move.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, $"/api/calls/{Uri.EscapeDataString(parsed.GetValue(callId)!)}/move",
            new { user = parsed.GetValue(user), device = parsed.GetValue(device) }, ct, doneMessage: "moved"));

        return new Command("calls", "Calls in progress: list, move") { list, move };
    }

    public static Command Callback(CommandContext context)
    {
        var user = new Argument<string>("user") { Description = "The user the PBX rings first (login ID)" };
        var destination = new Argument<string>("destination") { Description = "The number the user is then connected to" };
        var device = new Option<string?>("--device") { Description = "Which of the user's phones rings first: CellNumber (default), MobileClient, DeskPhone, Softphone or Added" };
        var command = new Command("callback", "The PBX rings the user, then the destination, showing the user's desk number") { user, destination, device };
        command.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, "/api/callback",
            new { user = parsed.GetValue(user), destination = parsed.GetValue(destination), device = parsed.GetValue(device) }, ct,
            doneMessage: "callback started"));
        return command;
    }
}
