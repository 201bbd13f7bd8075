using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Pbx.Server.Admin;

/// <summary>
/// Reads a JSON body ourselves rather than through parameter binding, so malformed JSON, a wrong type or an
/// unknown field comes back as a problem naming the field instead of an empty 400.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context) where T : class
    {
        if (!context.Request.HasJsonContentType())
            return (null, Problems.Invalid("body", "send a JSON object with Content-Type: application/json"));
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, json, context.RequestAborted);
            return value is null ? (null, Problems.Invalid("body", "must be a JSON object, not null")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return (null, Problems.Invalid(field, Describe(ex)));
        }
    }

    // System.Text.Json's messages name our internal request types; say what is wrong in the caller's terms.
    private static string Describe(JsonException ex) =>
        ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown field"
        : ex.Message.Contains("could not be converted", StringComparison.Ordinal) ? "has the wrong type or an unknown value"
        : $"invalid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}";
}
