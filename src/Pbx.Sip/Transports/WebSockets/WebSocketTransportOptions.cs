using Pbx.Sip.Transports.Sockets;

namespace Pbx.Sip.Transports.WebSockets;

public sealed record WebSocketTransportOptions : ConnectionTransportOptions
{
    /// <summary>TLS (for wss) plus the HTTP upgrade must be done by then, so silent sockets cannot pile up.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the server pings; browsers answer by themselves, which keeps NAT bindings and the idle timer fresh.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A peer that does not answer a ping within this time is dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
