using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pbx.Storage.Routing;

/// <summary>
/// IReadOnlySet&lt;T&gt; (redirection exceptions, schedule days) as a JSON array. Elements are read with the element
/// converter in place rather than through a nested Deserialize call, so an error keeps its full path.
/// </summary>
internal sealed class ReadOnlySetJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlySet<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(ReadOnlySetJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
}

internal sealed class ReadOnlySetJsonConverter<T> : JsonConverter<IReadOnlySet<T>>
{
    public override IReadOnlySet<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new RoutingJsonException(null, "must be an array");
        var element = (JsonConverter<T>)options.GetConverter(typeof(T));
        var set = new HashSet<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            set.Add(element.Read(ref reader, typeof(T), options)!);
        return set;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlySet<T> value, JsonSerializerOptions options)
    {
        var element = (JsonConverter<T>)options.GetConverter(typeof(T));
        writer.WriteStartArray();
        foreach (var item in value) element.Write(writer, item, options);
        writer.WriteEndArray();
    }
}
