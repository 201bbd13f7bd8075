using Pbx.Sip.Messages;

namespace Pbx.Sip.Transports.Sockets;

public sealed record TcpTransportOptions
{
    /// <summary>Framing limits; MaxMessageSize bounds what a connection may buffer.</summary>
    public SipParseOptions Parse { get; init; } = SipParseOptions.Default;

    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Connections with no traffic (keep-alives count) for this long are closed. Default 10 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
