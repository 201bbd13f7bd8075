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
        var (response, failed) = await SendAsync(parsed, method, path, body, ct);
        if (response is null) return failed;
        if (parsed.GetValue(globals.Json) && response.Body is not null)
            await Output.WriteLineAsync(response.Body.ToJsonString(new() { WriteIndented = true }));
        else if (render is not null && response.Body is not null)
            render(response.Body, Output);
        else if (doneMessage is not null)
            await Output.WriteLineAsync(doneMessage);
        return 0;
    }

    /// <summary>Reads a resource a command changes client-side before sending it back; a failure is reported here.</summary>
    /// <returns>The body, or null with the exit code to end with.</returns>
    public async Task<(JsonNode? Body, int ExitCode)> GetAsync(ParseResult parsed, string path, CancellationToken ct)
    {
        var (response, failed) = await SendAsync(parsed, HttpMethod.Get, path, null, ct);
        return response?.Body is { } body ? (body, 0) : (null, response is null ? failed : 1);
    }

    public async Task<int> UsageErrorAsync(string message)
    {
        await error.WriteLineAsync($"pbxctl: {message}");
        return 2;
    }

    private async Task<(ApiResponse? Response, int ExitCode)> SendAsync(ParseResult parsed, HttpMethod method, string path, object? body,
        CancellationToken ct)
    {
        var token = AdminClient.FindToken(parsed.GetValue(globals.Token), parsed.GetValue(globals.DataDir));
        using var client = new AdminClient(parsed.GetValue(globals.Url)!, token);
        var response = await client.SendAsync(method, path, body, ct);
        if (response.TransportError is { } transport)
        {
            await error.WriteLineAsync($"pbxctl: {transport}");
            return (null, 2);
        }
        if (!response.Success)
        {
            await ProblemPrinter.WriteAsync(error, response.StatusCode, response.Body);
            return (null, 1);
        }
        return (response, 0);
    }
}
