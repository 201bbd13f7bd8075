using System.Net;

namespace Pbx.Sip.Transports;

public enum SipTransportKind : byte
{
    Udp,
    Tcp,
    Tls,
}

/// <summary>
/// Where a message came from or goes to: transport, remote address and, for connection-oriented transports,
/// the connection it arrived on (so responses and requests towards a registered phone reuse it).
/// </summary>
public readonly record struct SipFlow(SipTransportKind Transport, IPEndPoint Remote, long ConnectionId = 0)
{
    public bool IsReliable => Transport != SipTransportKind.Udp;

    public override string ToString() => $"{Transport}:{Remote}" + (ConnectionId != 0 ? $"#{ConnectionId}" : "");
}
