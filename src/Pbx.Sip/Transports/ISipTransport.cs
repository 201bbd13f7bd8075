namespace Pbx.Sip.Transports;

/// <summary>
/// Sends bytes over one transport. Implementations: in-memory (tests, benchmarks), UDP, TCP, TLS and WebSocket (ws/wss).
/// A send to a flow with a ConnectionId reuses that connection; without one, TCP may open one, while the server-only
/// TLS and WebSocket transports fail with <see cref="SipConnectionUnavailableException"/>.
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

/// <summary>Gets complete messages from transports (streams already framed, one per WebSocket message); the bytes are valid only during the call.</summary>
public interface ISipReceiver
{
    void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source);
}
