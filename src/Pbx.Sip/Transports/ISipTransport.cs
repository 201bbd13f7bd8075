namespace Pbx.Sip.Transports;

/// <summary>
/// Sends bytes over one transport. Implementations: in-memory (tests, benchmarks), UDP and TCP sockets.
/// A send to a flow with a ConnectionId reuses that connection; without one, a connection-oriented transport may open one.
/// </summary>
public interface ISipTransport : ISipSender
{
    SipTransportKind Kind { get; }

    bool IsReliable { get; }
}

/// <summary>What the transaction layer needs from transports: send bytes along a flow.</summary>
public interface ISipSender
{
    /// <summary>Sends the message; the bytes may be reused by the caller once the returned task completes.</summary>
    ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);
}

/// <summary>Gets complete messages from transports (TCP already framed); the bytes are valid only during the call.</summary>
public interface ISipReceiver
{
    void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source);
}
