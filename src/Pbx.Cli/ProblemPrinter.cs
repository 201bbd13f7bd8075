using System.Net;
using System.Text.Json.Nodes;

namespace Pbx.Cli;

/// <summary>Prints an RFC 7807 answer as "pbxctl: title" followed by one line per field at fault.</summary>
internal static class ProblemPrinter
{
    public static async Task WriteAsync(TextWriter error, HttpStatusCode status, JsonNode? body)
    {
        var title = body?["title"]?.GetValue<string>() ?? status.ToString();
        await error.WriteLineAsync($"pbxctl: {title} ({(int)status})");
        if (body?["detail"]?.GetValue<string>() is { } detail) await error.WriteLineAsync($"  {detail}");
        if (body?["errors"] is JsonObject errors)
            foreach (var (field, messages) in errors)
                foreach (var message in messages?.AsArray() ?? [])
                    await error.WriteLineAsync($"  {field}: {message?.GetValue<string>()}");
    }
}
