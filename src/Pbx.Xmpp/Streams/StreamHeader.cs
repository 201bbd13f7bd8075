namespace Pbx.Xmpp.Streams;

/// <summary>The attributes of an initiating entity's &lt;stream:stream&gt; that the server acts on.</summary>
public sealed record StreamHeader(string? To, string? From, string? Version, string? Lang);
