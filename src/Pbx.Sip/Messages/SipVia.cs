using System.Text;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42) with the parameters the transaction layer needs (RFC 3581 rport).</summary>
public readonly struct SipVia
{
    /// <summary>RFC 3261 branch magic cookie.</summary>
    public static ReadOnlySpan<byte> MagicCookie => "z9hG4bK"u8;

    private readonly TextRange _whole;
    private readonly TextRange _transport;
    private readonly TextRange _host;
    private readonly TextRange _parameters;
    private readonly TextRange _branch;
    private readonly TextRange _received;
    private readonly TextRange _rport;

    internal SipVia(ReadOnlyMemory<byte> source, TextRange whole, TextRange transport, TextRange host, int port,
        TextRange parameters, TextRange branch, TextRange received, TextRange rport)
    {
        Source = source;
        _whole = whole;
        _transport = transport;
        _host = host;
        Port = port;
        _parameters = parameters;
        _branch = branch;
        _received = received;
        _rport = rport;
    }

    public ReadOnlyMemory<byte> Source { get; }

    public ReadOnlySpan<byte> Raw => _whole.Of(Source.Span);

    internal TextRange RawRange => _whole;

    internal TextRange RportRange => _rport;

    /// <summary>Transport token as sent (UDP, TCP, TLS, SCTP, WS, ...).</summary>
    public ReadOnlySpan<byte> Transport => _transport.Of(Source.Span);

    /// <summary>sent-by host (IPv6 with brackets).</summary>
    public ReadOnlySpan<byte> Host => _host.Of(Source.Span);

    /// <summary>sent-by port, 0 when absent.</summary>
    public int Port { get; }

    public ReadOnlySpan<byte> Parameters => _parameters.Of(Source.Span);

    public bool HasBranch => _branch.IsPresent;

    public ReadOnlySpan<byte> Branch => _branch.Of(Source.Span);

    /// <summary>True when the branch starts with the magic cookie and carries more than the cookie (RFC 4475 §3.2.1 badbranch is not).</summary>
    public bool IsRfc3261Branch => Branch.Length > MagicCookie.Length && Branch.StartsWith(MagicCookie);

    public bool HasReceived => _received.IsPresent;

    public ReadOnlySpan<byte> Received => _received.Of(Source.Span);

    public bool HasRport => _rport.IsPresent;

    /// <summary>rport value, 0 when the parameter is a flag (request side) or absent.</summary>
    public int Rport => _rport.IsPresent && Lws.TryParseUInt(_rport.Of(Source.Span), 65535, out ulong p) ? (int)p : 0;

    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) =>
        ParameterList.TryGet(Parameters, name, (byte)';', out value);

    public string BranchString => Encoding.UTF8.GetString(Branch);

    public string HostString => Encoding.UTF8.GetString(Host);

    public override string ToString() => Encoding.UTF8.GetString(Raw);
}
