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
        var command = new Command("calls", "Calls in progress, and how many RTP port pairs the relay uses");
        command.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/calls", null, ct, (node, output) =>
        {
            CallTable(node["calls"] ?? new JsonArray(), output);
            output.WriteLine($"RTP port pairs in use: {node["rtpPortPairsInUse"]} of {node["rtpPortPairsTotal"]}");
        }));
        return command;
    }
}
