using System.CommandLine;
using System.Text.Json.Nodes;

namespace Pbx.Cli;

/// <summary>What every command needs: a client for the daemon and the writers to report to.</summary>
internal sealed class CommandContext(GlobalOptions globals, TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;

    /// <summary>Sends a request and prints the result; the return value is the process exit code.</summary>
    public async Task<int> CallAsync(ParseResult parsed, HttpMethod method, string path, object? body, CancellationToken ct,
        Action<JsonNode, TextWriter>? render = null, string? doneMessage = null)
    {
        var token = AdminClient.FindToken(parsed.GetValue(globals.Token), parsed.GetValue(globals.DataDir));
        using var client = new AdminClient(parsed.GetValue(globals.Url)!, token);
        var response = await client.SendAsync(method, path, body, ct);
        if (response.TransportError is { } transport)
        {
            await error.WriteLineAsync($"pbxctl: {transport}");
            return 2;
        }
        if (!response.Success)
        {
            await ProblemPrinter.WriteAsync(error, response.StatusCode, response.Body);
            return 1;
        }
        if (parsed.GetValue(globals.Json) && response.Body is not null)
            await Output.WriteLineAsync(response.Body.ToJsonString(new() { WriteIndented = true }));
        else if (render is not null && response.Body is not null)
            render(response.Body, Output);
        else if (doneMessage is not null)
            await Output.WriteLineAsync(doneMessage);
        return 0;
    }
}
