using System.Net.Sockets;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// Bounds a connection's handshake (TLS, HTTP upgrade): when the time is up or the transport stops, the token is
/// cancelled and the socket is shut down, so even a read that ignores cancellation ends at once.
/// Dispose it as soon as the handshake is done.
/// </summary>
internal sealed class HandshakeDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationTokenRegistration _shutdown;

    public HandshakeDeadline(Socket socket, TimeSpan timeout, TimeProvider time, CancellationToken stopping)
    {
        _timeout = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, stopping);
        _shutdown = _linked.Token.Register(static s => ShutDown((Socket)s!), socket);
    }

    public CancellationToken Token => _linked.Token;

    public bool Expired => _timeout.IsCancellationRequested;

    private static void ShutDown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _shutdown.Dispose();
        _linked.Dispose();
        _timeout.Dispose();
    }
}
