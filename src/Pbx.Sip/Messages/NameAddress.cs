using System.Text;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Messages;

/// <summary>
/// A From/To/Contact/Route value: optional display name, URI, header parameters (RFC 3261 §20.10, §25.1).
/// For the Contact wildcard "*", <see cref="IsWildcard"/> is set and the URI is empty.
/// </summary>
public readonly struct NameAddress
{
    private readonly TextRange _whole;
    private readonly TextRange _displayName;
    private readonly TextRange _parameters;
    private readonly TextRange _tag;

    internal NameAddress(ReadOnlyMemory<byte> source, TextRange whole, TextRange displayName, bool displayQuoted,
        SipUri uri, bool bracketed, TextRange parameters, TextRange tag, bool wildcard)
    {
        Source = source;
        _whole = whole;
        _displayName = displayName;
        IsDisplayNameQuoted = displayQuoted;
        Uri = uri;
        IsNameAddr = bracketed;
        _parameters = parameters;
        _tag = tag;
        IsWildcard = wildcard;
    }

    public ReadOnlyMemory<byte> Source { get; }

    public bool IsEmpty => !_whole.IsPresent;

    /// <summary>The whole value as received (LWS and folds included).</summary>
    public ReadOnlySpan<byte> Raw => _whole.Of(Source.Span);

    public ReadOnlyMemory<byte> RawMemory => _whole.Of(Source);

    /// <summary>Display name; for a quoted one, the content between the quotes with quoted-pairs still escaped.</summary>
    public ReadOnlySpan<byte> DisplayName => _displayName.Of(Source.Span);

    public bool HasDisplayName => _displayName.IsPresent;

    public bool IsDisplayNameQuoted { get; }

    /// <summary>True for name-addr form (URI in angle brackets).</summary>
    public bool IsNameAddr { get; }

    public SipUri Uri { get; }

    public bool IsWildcard { get; }

    /// <summary>Header parameters after the address, without the leading ';'.</summary>
    public ReadOnlySpan<byte> Parameters => _parameters.Of(Source.Span);

    public ReadOnlySpan<byte> Tag => _tag.Of(Source.Span);

    public bool HasTag => _tag.IsPresent;

    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) =>
        ParameterList.TryGet(Parameters, name, (byte)';', out value);

    public ParameterList.Enumerator EnumerateParameters() => new(Parameters, (byte)';');

    /// <summary>Display name with quotes removed and quoted-pairs resolved (allocates).</summary>
    public string GetDisplayNameString()
    {
        var raw = DisplayName;
        if (!IsDisplayNameQuoted) return Encoding.UTF8.GetString(raw);
        byte[] buffer = new byte[raw.Length];
        int n = Lws.Unquote(raw, buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public string TagString => Encoding.UTF8.GetString(Tag);

    public override string ToString() => Encoding.UTF8.GetString(Raw);

    public static bool TryParse(string text, out NameAddress value)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return NameAddressParser.TryParse(bytes, new TextRange(0, bytes.Length), out value, out int next) && next == bytes.Length;
    }
}
