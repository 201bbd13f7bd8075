namespace Pbx.Sip.Transports.Sockets;

public sealed record TlsTransportOptions : ConnectionTransportOptions
{
    /// <summary>A client that has not finished the TLS handshake by then is dropped, so silent sockets cannot pile up.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
