using System.Net;
using System.Net.Sockets;
using Pbx.Sip.Transports;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Dialogs;

/// <summary>Why a URI did not give a next hop.</summary>
public enum NextHopFailure : byte
{
    None,

    /// <summary>The host (or maddr) is a name: resolving it (RFC 3263 NAPTR/SRV/A) is not done at this layer.</summary>
    NeedsDns,

    /// <summary>Not a sip:/sips: URI (tel:, other schemes).</summary>
    UnsupportedScheme,

    /// <summary>A transport we do not speak (SCTP, unknown), or sips: over UDP.</summary>
    UnsupportedTransport,
}

/// <summary>
/// Where to send a request: the transport and address from a URI with a numeric host. The flow has no connection id;
/// towards a peer reached over TLS or WebSocket (server-side only here) the owner substitutes the flow it keeps.
/// </summary>
public readonly struct NextHop
{
    private NextHop(SipFlow flow, NextHopFailure failure)
    {
        Flow = flow;
        Failure = failure;
    }

    public bool IsResolved => Failure == NextHopFailure.None;

    /// <summary>Valid only when <see cref="IsResolved"/>.</summary>
    public SipFlow Flow { get; }

    public NextHopFailure Failure { get; }

    /// <summary>
    /// RFC 3263 §4 without DNS: the transport comes from the transport parameter (sips: means TLS, or WSS with
    /// transport=ws), the address from maddr or the host, the port from the URI or the transport's default
    /// (5060, 5061 for TLS; 80 and 443 for ws and wss, the HTTP ports a WebSocket URI defaults to).
    /// </summary>
    public static NextHop Resolve(in SipUri uri)
    {
        if (!uri.IsSipOrSips) return new NextHop(default, NextHopFailure.UnsupportedScheme);
        if (!TryGetTransport(uri, out var transport)) return new NextHop(default, NextHopFailure.UnsupportedTransport);
        var host = uri.TryGetParameter("maddr"u8, out var maddr) && !maddr.IsEmpty ? maddr : uri.Host;
        if (!TryParseNumericHost(host, out var address)) return new NextHop(default, NextHopFailure.NeedsDns);
        int port = uri.Port != 0 ? uri.Port : DefaultPort(transport);
        return new NextHop(new SipFlow(transport, new IPEndPoint(address, port)), NextHopFailure.None);
    }

    public override string ToString() => IsResolved ? Flow.ToString() : $"unresolved: {Failure}";

    private static bool TryGetTransport(in SipUri uri, out SipTransportKind transport)
    {
        bool sips = uri.Scheme == UriScheme.Sips;
        transport = sips ? SipTransportKind.Tls : SipTransportKind.Udp;
        if (!uri.TryGetParameter("transport"u8, out var name)) return true;
        if (System.Text.Ascii.EqualsIgnoreCase(name, "udp"u8))
        {
            transport = SipTransportKind.Udp;
            return !sips;
        }
        if (System.Text.Ascii.EqualsIgnoreCase(name, "tcp"u8)) transport = sips ? SipTransportKind.Tls : SipTransportKind.Tcp;
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "tls"u8)) transport = SipTransportKind.Tls;
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "ws"u8)) transport = sips ? SipTransportKind.Wss : SipTransportKind.Ws;
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "wss"u8)) transport = SipTransportKind.Wss;
        else return false;
        return true;
    }

    private static int DefaultPort(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Tls => 5061,
        SipTransportKind.Ws => 80,
        SipTransportKind.Wss => 443,
        _ => 5060,
    };

    /// <summary>An IPv6 reference in brackets or a dotted-quad IPv4 address; anything else is a name.</summary>
    private static bool TryParseNumericHost(ReadOnlySpan<byte> host, out IPAddress address)
    {
        address = IPAddress.None;
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && Assign(v6, out address);
        }
        // IPAddress.TryParse also takes "10" or "10.1" (inet_aton forms); a SIP host is a full dotted quad (RFC 3261 §25.1).
        if (host.Count((byte)'.') != 3 || host.ContainsAnyExcept("0123456789."u8)) return false;
        return IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && Assign(v4, out address);
    }

    private static bool Assign(IPAddress parsed, out IPAddress address)
    {
        address = parsed;
        return true;
    }
}
