using System.Net;

namespace Pbx.Sip.Transports;

/// <summary>Transports the stack speaks. New values go at the end: the numeric value indexes <see cref="SipTransportSet"/>.</summary>
public enum SipTransportKind : byte
{
    Udp,
    Tcp,
    Tls,

    /// <summary>SIP over WebSocket (RFC 7118), plain HTTP upgrade.</summary>
    Ws,

    /// <summary>SIP over secure WebSocket (RFC 7118), upgrade inside TLS.</summary>
    Wss,
}

/// <summary>
/// Where a message came from or goes to: transport, remote address and, for connection-oriented transports,
/// the connection it arrived on (so responses and requests towards a registered phone reuse it).
/// </summary>
public readonly record struct SipFlow(SipTransportKind Transport, IPEndPoint Remote, long ConnectionId = 0)
{
    /// <summary>Every transport but UDP is reliable (RFC 3261 §17: no retransmissions; RFC 7118 §5 for WebSocket).</summary>
    public bool IsReliable => Transport != SipTransportKind.Udp;

    public override string ToString() => $"{Transport}:{Remote}" + (ConnectionId != 0 ? $"#{ConnectionId}" : "");
}

public static class SipTransportKindExtensions
{
    /// <summary>The transport token of a Via sent-protocol (RFC 3261 §20.42, RFC 7118 §5.2 "WS"/"WSS").</summary>
    public static string ViaTransport(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        SipTransportKind.Ws => "WS",
        SipTransportKind.Wss => "WSS",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
