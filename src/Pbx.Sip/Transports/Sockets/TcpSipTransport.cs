using System.Collections.Concurrent;
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
    private readonly Socket _listener;
    private readonly ISipReceiver _receiver;
    private readonly TcpTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, TcpConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Lock _tasksLock = new();
    private ITimer? _sweeper;
    private long _nextId;

    public TcpSipTransport(IPEndPoint bind, ISipReceiver receiver, TcpTransportOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _options = options ?? new TcpTransportOptions();
        _time = time ?? TimeProvider.System;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
        _listener.Bind(bind);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public SipTransportKind Kind => SipTransportKind.Tcp;

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    public void Start()
    {
        _listener.Listen(512);
        Track(Task.Run(AcceptLoopAsync));
        var period = _options.IdleTimeout / 2;
        _sweeper = _time.CreateTimer(static s => ((TcpSipTransport)s!).SweepIdle(), this, period, period);
    }

    public async ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var connection = Find(destination) ?? await ConnectAsync(destination.Remote, cancellationToken).ConfigureAwait(false);
        await connection.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private TcpConnection? Find(SipFlow destination)
    {
        if (destination.ConnectionId != 0 && _connections.TryGetValue(destination.ConnectionId, out var byId) && !byId.IsClosed) return byId;
        var remote = TcpConnection.Normalize(destination.Remote);
        foreach (var c in _connections.Values)
        {
            if (!c.IsClosed && c.Remote.Equals(remote)) return c;
        }
        return null;
    }

    private async Task<TcpConnection> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return Register(socket) ?? throw new SocketException((int)SocketError.TooManyOpenSockets);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }
            socket.NoDelay = true;
            if (Register(socket) is null) socket.Dispose();
        }
    }

    private TcpConnection? Register(Socket socket)
    {
        if (_connections.Count >= _options.MaxConnections)
        {
            SipLog.TcpRefused(_log, _connections.Count);
            return null;
        }
        var connection = new TcpConnection(Interlocked.Increment(ref _nextId), socket, _time);
        _connections[connection.Id] = connection;
        Track(Task.Run(() => connection.RunAsync(_receiver, _options.Parse, _log, c => _connections.TryRemove(c.Id, out _))));
        return connection;
    }

    private void Track(Task task)
    {
        lock (_tasksLock)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private void SweepIdle()
    {
        foreach (var c in _connections.Values)
        {
            if (c.Idle > _options.IdleTimeout) c.Close("idle");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _sweeper?.Dispose();
        _listener.Dispose();
        foreach (var c in _connections.Values) await c.DisposeAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_tasksLock) pending = _tasks.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _stop.Dispose();
    }
}
