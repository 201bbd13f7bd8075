using Pbx.Sip.Messages;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>Limits every connection-oriented transport (TCP, TLS, WebSocket) enforces.</summary>
public abstract record ConnectionTransportOptions
{
    /// <summary>Framing limits; MaxMessageSize bounds what a connection may buffer.</summary>
    public SipParseOptions Parse { get; init; } = SipParseOptions.Default;

    /// <summary>Open sockets, counting ones still in their TLS or WebSocket handshake.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Connections with no traffic (keep-alives count) for this long are closed. Default 10 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
