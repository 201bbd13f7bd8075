namespace Pbx.Sip.Transports.Sockets;

public sealed record TcpTransportOptions : ConnectionTransportOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
