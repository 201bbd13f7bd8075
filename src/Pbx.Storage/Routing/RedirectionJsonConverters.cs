using System.Text.Json;
using System.Text.Json.Serialization;
using Pbx.Telephony.Routing;

namespace Pbx.Storage.Routing;

/// <summary><c>{"number": "200"}</c> or <c>{"mailbox": "alice"}</c>: the destination kinds have no common shape to discriminate.</summary>
internal sealed class RedirectDestinationJsonConverter : JsonConverter<RedirectDestination>
{
    private const string Shape = "must be {\"number\": \"…\"} or {\"mailbox\": \"…\"}";

    public override RedirectDestination Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadDestination(ref reader);

    public static RedirectDestination ReadDestination(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            throw new RoutingJsonException(null, Shape);
        var kind = reader.GetString()!;
        if (!reader.Read() || reader.TokenType != JsonTokenType.String) throw new RoutingJsonException(kind, "must be a string");
        var value = reader.GetString()!;
        RedirectDestination destination = kind.ToLowerInvariant() switch
        {
            "number" => new RedirectDestination.Number(value),
            "mailbox" => new RedirectDestination.Mailbox(value),
            _ => throw new RoutingJsonException(kind, $"unknown field: a destination {Shape}"),
        };
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject) throw new RoutingJsonException(null, Shape);
        return destination;
    }

    public override void Write(Utf8JsonWriter writer, RedirectDestination value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        switch (value)
        {
            case RedirectDestination.Number number: writer.WriteString("number", number.Value); break;
            case RedirectDestination.Mailbox mailbox: writer.WriteString("mailbox", mailbox.MailboxId); break;
        }
        writer.WriteEndObject();
    }
}

/// <summary>
/// <c>{"destination": {…}, "seconds": 20}</c>. Read by hand because the record's constructor throws on seconds out of
/// range, which the serializer would pass on as an exception without a field; here it becomes a field error.
/// </summary>
internal sealed class TimeoutRedirectionJsonConverter : JsonConverter<TimeoutRedirection>
{
    public override TimeoutRedirection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new RoutingJsonException(null, "must be {\"destination\": {…}, \"seconds\": 5-120}");
        RedirectDestination? destination = null;
        int? seconds = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (name.Equals("destination", StringComparison.OrdinalIgnoreCase))
            {
                if (reader.TokenType == JsonTokenType.Null) continue;
                try { destination = RedirectDestinationJsonConverter.ReadDestination(ref reader); }
                catch (RoutingJsonException ex) { throw new RoutingJsonException(ex.SubField is { } sub ? $"destination.{sub}" : "destination", ex.Message); }
            }
            else if (name.Equals("seconds", StringComparison.OrdinalIgnoreCase))
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
                    throw new RoutingJsonException("seconds", "must be a whole number of seconds");
                seconds = value;
            }
            else
            {
                throw new RoutingJsonException(name, "unknown field");
            }
        }
        if (destination is null) throw new RoutingJsonException("destination", "is required: a redirection without a destination cannot be active");
        if (seconds is null) throw new RoutingJsonException("seconds", "is required");
        if (RoutingSettingsValidation.CheckTimeoutSeconds(seconds.Value) is { } problem) throw new RoutingJsonException("seconds", problem);
        return new TimeoutRedirection(destination, seconds.Value);
    }

    public override void Write(Utf8JsonWriter writer, TimeoutRedirection value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("destination");
        new RedirectDestinationJsonConverter().Write(writer, value.Destination, options);
        writer.WriteNumber("seconds", value.Seconds);
        writer.WriteEndObject();
    }
}
