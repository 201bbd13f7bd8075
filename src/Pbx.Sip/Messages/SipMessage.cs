using System.Buffers;
using System.Text;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Messages;

/// <summary>
/// A received SIP message as a view over its buffer (Kamailio/Kestrel style): Via, From, To, Call-ID, CSeq,
/// Max-Forwards, Content-Length and Contact are parsed eagerly; every other header is a name/value range parsed on demand.
/// Spans and value structs returned by this object point into the buffer: they are valid until <see cref="Dispose"/>.
/// Call <see cref="Clone"/> to keep a message beyond the receive callback that handed it over.
/// </summary>
public sealed class SipMessage : IDisposable
{
    private ReadOnlyMemory<byte> _source;
    private IDisposable? _owner;
    internal HeaderEntry[] HeaderEntries = [];
    internal int HeaderEntryCount;
    internal SipVia[] ViaValues = [];
    internal int ViaValueCount;
    internal NameAddress[] ContactValues = [];
    internal int ContactValueCount;
    internal TextRange MethodRange;
    internal TextRange ReasonRange;
    internal TextRange BodyRange;

    internal SipMessage(ReadOnlyMemory<byte> source, SipParseOptions options)
    {
        _source = source;
        Options = options;
    }

    public SipParseOptions Options { get; }

    /// <summary>The message bytes from the start line to the end of the body (trailing datagram bytes excluded).</summary>
    public ReadOnlyMemory<byte> Raw => _source[..Length];

    internal ReadOnlyMemory<byte> Source => _source;

    public int Length { get; internal set; }

    public bool IsRequest { get; internal set; }

    public bool IsResponse => !IsRequest;

    public SipMethod Method { get; internal set; }

    public ReadOnlySpan<byte> MethodName => MethodRange.Of(_source.Span);

    public SipUri RequestUri { get; internal set; }

    public int StatusCode { get; internal set; }

    public ReadOnlySpan<byte> ReasonPhrase => ReasonRange.Of(_source.Span);

    public ReadOnlySpan<SipVia> Vias => ViaValues.AsSpan(0, ViaValueCount);

    public SipVia TopVia => ViaValueCount > 0 ? ViaValues[0] : default;

    public NameAddress From { get; internal set; }

    public NameAddress To { get; internal set; }

    internal TextRange CallIdRange;

    public ReadOnlySpan<byte> CallId => CallIdRange.Of(_source.Span);

    public CSeqValue CSeq { get; internal set; }

    /// <summary>Max-Forwards, or -1 when absent (RFC 2543 peers).</summary>
    public int MaxForwards { get; internal set; } = -1;

    /// <summary>Content-Length, or -1 when absent (then a datagram body runs to the end of the datagram).</summary>
    public int ContentLength { get; internal set; } = -1;

    public ReadOnlySpan<NameAddress> Contacts => ContactValues.AsSpan(0, ContactValueCount);

    public ReadOnlySpan<byte> Body => BodyRange.Of(_source.Span);

    public ReadOnlyMemory<byte> BodyMemory => BodyRange.Of(_source);

    public int HeaderCount => HeaderEntryCount;

    public SipHeader GetHeader(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)HeaderEntryCount, nameof(index));
        var e = HeaderEntries[index];
        var s = _source.Span;
        return new SipHeader(e.Kind, e.Name.Of(s), e.Value.Of(s));
    }

    /// <summary>First header of a known kind (long or compact name).</summary>
    public bool TryGetHeader(HeaderKind kind, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < HeaderEntryCount; i++)
        {
            if (HeaderEntries[i].Kind == kind)
            {
                value = HeaderEntries[i].Value.Of(_source.Span);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>First header by name, case-insensitive; a known name also matches its compact form.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var kind = HeaderNames.Lookup(name);
        if (kind != HeaderKind.Unknown) return TryGetHeader(kind, out value);
        var s = _source.Span;
        for (int i = 0; i < HeaderEntryCount; i++)
        {
            var e = HeaderEntries[i];
            if (e.Kind == HeaderKind.Unknown && Ascii.EqualsIgnoreCase(e.Name.Of(s), name))
            {
                value = e.Value.Of(s);
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool TryGetHeader(string name, out string value)
    {
        if (TryGetHeader(Encoding.ASCII.GetBytes(name), out ReadOnlySpan<byte> v))
        {
            value = Encoding.UTF8.GetString(v);
            return true;
        }
        value = "";
        return false;
    }

    public int CountHeaders(HeaderKind kind)
    {
        int n = 0;
        for (int i = 0; i < HeaderEntryCount; i++)
        {
            if (HeaderEntries[i].Kind == kind) n++;
        }
        return n;
    }

    /// <summary>
    /// Comma-separated values of all headers of a kind, in order (RFC 3261 §7.3.1), splitting outside quoted strings
    /// and angle brackets. Not for headers whose values contain commas (Date, WWW-Authenticate, ...).
    /// </summary>
    public HeaderValueEnumerator EnumerateValues(HeaderKind kind) => new(_source.Span, HeaderEntries.AsSpan(0, HeaderEntryCount), kind);

    public string CallIdString => Encoding.UTF8.GetString(CallId);

    public string MethodString => Encoding.ASCII.GetString(MethodName);

    public override string ToString() => Encoding.UTF8.GetString(Raw.Span);

    /// <summary>Copies the message into its own array so it outlives the receive buffer.</summary>
    public SipMessage Clone()
    {
        var copy = Raw.ToArray();
        var result = SipMessageParser.Parse(copy, Options, isDatagram: false, owner: null);
        return result.Message ?? throw new InvalidOperationException("A parsed message failed to parse again.");
    }

    public void Dispose()
    {
        if (HeaderEntries.Length > 0) ArrayPool<HeaderEntry>.Shared.Return(HeaderEntries);
        if (ViaValues.Length > 0) ArrayPool<SipVia>.Shared.Return(ViaValues, clearArray: true);
        if (ContactValues.Length > 0) ArrayPool<NameAddress>.Shared.Return(ContactValues, clearArray: true);
        HeaderEntries = [];
        ViaValues = [];
        ContactValues = [];
        HeaderEntryCount = ViaValueCount = ContactValueCount = 0;
        _source = default;
        Length = 0;
        var owner = _owner;
        _owner = null;
        owner?.Dispose();
    }

    internal void SetOwner(IDisposable? owner) => _owner = owner;

    /// <summary>Parses a whole datagram (or any complete message); never throws.</summary>
    public static SipParseResult Parse(ReadOnlyMemory<byte> data, SipParseOptions? options = null) =>
        SipMessageParser.Parse(data, options ?? SipParseOptions.Default, isDatagram: true, owner: null);

    /// <summary>Parses a message held in a pooled buffer; on success the message disposes <paramref name="owner"/>.</summary>
    public static SipParseResult Parse(ReadOnlyMemory<byte> data, IDisposable owner, SipParseOptions? options = null) =>
        SipMessageParser.Parse(data, options ?? SipParseOptions.Default, isDatagram: true, owner);

    public static SipParseResult Parse(string text, SipParseOptions? options = null) => Parse(Encoding.UTF8.GetBytes(text), options);
}
