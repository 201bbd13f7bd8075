using System.Text;
using Pbx.Sip.Messages;

namespace Pbx.Sip.Uris;

/// <summary>
/// A parsed URI as a view over the bytes it came from (RFC 3261 §19.1, RFC 3966 for tel:).
/// Components keep their escapes; use <see cref="UriEscaping"/> to decode when needed.
/// </summary>
public readonly struct SipUri
{
    private readonly TextRange _whole;
    private readonly TextRange _user;
    private readonly TextRange _password;
    private readonly TextRange _host;
    private readonly TextRange _parameters;
    private readonly TextRange _headers;

    internal SipUri(ReadOnlyMemory<byte> source, TextRange whole, UriScheme scheme, TextRange user, TextRange password,
        TextRange host, int port, TextRange parameters, TextRange headers)
    {
        Source = source;
        _whole = whole;
        Scheme = scheme;
        _user = user;
        _password = password;
        _host = host;
        Port = port;
        _parameters = parameters;
        _headers = headers;
    }

    public ReadOnlyMemory<byte> Source { get; }

    public bool IsEmpty => !_whole.IsPresent;

    public UriScheme Scheme { get; }

    public bool IsSipOrSips => Scheme is UriScheme.Sip or UriScheme.Sips;

    /// <summary>The whole URI text.</summary>
    public ReadOnlySpan<byte> Raw => _whole.Of(Source.Span);

    public ReadOnlyMemory<byte> RawMemory => _whole.Of(Source);

    /// <summary>User part (escaped form); for tel: the telephone-subscriber number.</summary>
    public ReadOnlySpan<byte> User => _user.Of(Source.Span);

    public bool HasUser => _user.IsPresent;

    public ReadOnlySpan<byte> Password => _password.Of(Source.Span);

    public bool HasPassword => _password.IsPresent;

    /// <summary>Host, IPv6 references keep their brackets.</summary>
    public ReadOnlySpan<byte> Host => _host.Of(Source.Span);

    /// <summary>Port, or 0 when absent.</summary>
    public int Port { get; }

    /// <summary>The parameters section without the leading ';'.</summary>
    public ReadOnlySpan<byte> Parameters => _parameters.Of(Source.Span);

    /// <summary>The headers section without the leading '?'.</summary>
    public ReadOnlySpan<byte> Headers => _headers.Of(Source.Span);

    public bool HasHeaders => _headers.IsPresent;

    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) =>
        ParameterList.TryGet(Parameters, name, (byte)';', out value);

    public bool HasParameter(ReadOnlySpan<byte> name) => TryGetParameter(name, out _);

    public ParameterList.Enumerator EnumerateParameters() => new(Parameters, (byte)';');

    public ParameterList.Enumerator EnumerateHeaders() => new(Headers, (byte)'&');

    public override string ToString() => Encoding.UTF8.GetString(Raw);

    public static bool TryParse(string text, out SipUri uri) =>
        TryParse(Encoding.UTF8.GetBytes(text), out uri);

    public static bool TryParse(ReadOnlyMemory<byte> text, out SipUri uri) =>
        SipUriParser.TryParse(text, new TextRange(0, text.Length), out uri);

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Not a valid URI: '{text}'");

    /// <summary>URI equality per RFC 3261 §19.1.4.</summary>
    public bool EquivalentTo(in SipUri other) => UriComparer.AreEquivalent(this, other);
}
