using System.Text.Json;
using System.Text.Json.Serialization;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Routing;

namespace Pbx.Storage.Routing;

/// <summary>
/// The one JSON form of routing settings, used both in the database and in the admin API, so what an admin PUTs is
/// exactly what is stored and read back. TimeSpan and TimeOnly use their invariant "c"/"HH:mm:ss" text, enums and
/// days of the week their names; integers for enums are refused because they would silently shift if an enum grew.
/// </summary>
public static class RoutingSettingsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            // The text only ever lands in the database and in JSON bodies, never in HTML; '+' of E.164 stays readable in the file.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.Converters.Add(new RedirectDestinationJsonConverter());
        options.Converters.Add(new TimeoutRedirectionJsonConverter());
        options.Converters.Add(new ReadOnlySetJsonConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize(RoutingFeature feature, object settings) =>
        JsonSerializer.Serialize(settings, feature.SettingsType, Options);

    /// <exception cref="JsonException">The text is not a valid settings record; see <see cref="Describe"/>.</exception>
    public static object Deserialize(RoutingFeature feature, string json) =>
        JsonSerializer.Deserialize(json, feature.SettingsType, Options)
        ?? throw new JsonException("must be a JSON object, not null");

    /// <summary>The request field a refused document is wrong in, in the API's spelling, with a message in the caller's terms.</summary>
    public static FieldError Describe(JsonException ex)
    {
        var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "";
        if (ex is RoutingJsonException { SubField: { } sub }) field = field.Length == 0 ? sub : $"{field}.{sub}";
        var message = ex is RoutingJsonException ? ex.Message
            : ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown field"
            : ex.Message.Contains("doesn't allow null", StringComparison.Ordinal) ? "must not be null"
            : ex.Message.Contains("could not be converted", StringComparison.Ordinal) ? "has the wrong type or an unknown value"
            : $"invalid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}";
        return new FieldError(field.Length == 0 ? "body" : field, message);
    }
}

/// <summary>A refused value whose fault lies in <see cref="SubField"/> below the JSON path the serializer reports.</summary>
public sealed class RoutingJsonException(string? subField, string message) : JsonException(message)
{
    public string? SubField { get; } = subField;
}
