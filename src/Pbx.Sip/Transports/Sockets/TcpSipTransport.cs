using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// SIP over TCP: a listener, outgoing connections on demand, and connection reuse (a flow's ConnectionId first, then any
/// connection to the same remote). Bad input closes only the offending connection; idle connections are swept.
/// </summary>
public sealed class TcpSipTransport : ISipTransport, IAsyncDisposable
{
    private readonly ConnectionListener _listener;
    private readonly ISipReceiver _receiver;
    private readonly TcpTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public TcpSipTransport(IPEndPoint bind, ISipReceiver receiver, TcpTransportOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _options = options ?? new TcpTransportOptions();
        _time = time ?? TimeProvider.System;
        _listener = new ConnectionListener(bind, SipTransportKind.Tcp, _options, _time, _log);
    }

    public SipTransportKind Kind => SipTransportKind.Tcp;

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public int ConnectionCount => _listener.ConnectionCount;

    public void Start() => _listener.Start((socket, _) => ServeAcceptedAsync(socket));

    public async ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var connection = _listener.Find(destination) ?? await ConnectAsync(destination.Remote, cancellationToken).ConfigureAwait(false);
        await connection.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ISipConnection> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        if (!_listener.TryOpenSlot()) throw new SocketException((int)SocketError.TooManyOpenSockets);
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        StreamConnection connection;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _listener.Stopping);
            timeout.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
            connection = Open(socket);
        }
        catch
        {
            socket.Dispose();
            _listener.ReleaseSlot();
            throw;
        }
        _listener.RunInSlot(_ => ServeAsync(connection));
        return connection;
    }

    private StreamConnection Open(Socket socket)
    {
        var connection = new StreamConnection(_listener.NextConnectionId(), SipTransportKind.Tcp, socket,
            new NetworkStream(socket, ownsSocket: true), (IPEndPoint)socket.RemoteEndPoint!, _time);
        _listener.Add(connection);
        return connection;
    }

    private Task ServeAcceptedAsync(Socket socket)
    {
        StreamConnection connection;
        try
        {
            connection = Open(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return ServeAsync(connection);
    }

    private async Task ServeAsync(StreamConnection connection)
    {
        try
        {
            await connection.RunAsync(_receiver, _options.Parse, _log).ConfigureAwait(false);
        }
        finally
        {
            _listener.Remove(connection);
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
