namespace Pbx.Sip.Transports;

/// <summary>
/// A send needed a connection that is gone (closed, swept) and the transport does not open one itself (TLS and
/// WebSocket serve phones behind NAT, reachable only over the connection they opened).
/// </summary>
public sealed class SipConnectionUnavailableException : IOException
{
    public SipConnectionUnavailableException()
    {
    }

    public SipConnectionUnavailableException(string message)
        : base(message)
    {
    }

    public SipConnectionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SipConnectionUnavailableException(SipFlow destination)
        : base($"No open connection for {destination}")
    {
        Destination = destination;
    }

    public SipFlow? Destination { get; }
}
