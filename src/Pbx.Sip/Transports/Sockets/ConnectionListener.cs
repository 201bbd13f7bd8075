using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// What TCP, TLS and WebSocket transports share: the listening socket and its accept loop, the connection cap (counted
/// per open socket, so handshakes in progress count too), the table of live connections for reuse, the idle sweep and
/// an orderly shutdown that waits for every connection task.
/// </summary>
internal sealed class ConnectionListener : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly SipTransportKind _kind;
    private readonly ConnectionTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, ISipConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Lock _tasksLock = new();
    private ITimer? _sweeper;
    private long _nextId;
    private int _openSockets;

    public ConnectionListener(IPEndPoint bind, SipTransportKind kind, ConnectionTransportOptions options, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(bind);
        _kind = kind;
        _options = options;
        _time = time;
        _log = log;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
        _listener.Bind(bind);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Established connections (handshakes in progress not included).</summary>
    public int ConnectionCount => _connections.Count;

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Listens and hands each accepted socket, inside its own slot, to <paramref name="serve"/>.</summary>
    public void Start(Func<Socket, CancellationToken, Task> serve)
    {
        _listener.Listen(512);
        Track(Task.Run(() => AcceptLoopAsync(serve)));
        var period = _options.IdleTimeout / 2;
        _sweeper = _time.CreateTimer(static s => ((ConnectionListener)s!).SweepIdle(), this, period, period);
    }

    private async Task AcceptLoopAsync(Func<Socket, CancellationToken, Task> serve)
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
            if (!TryOpenSlot())
            {
                socket.Dispose();
                continue;
            }
            RunInSlot(token => serve(socket, token));
        }
    }

    /// <summary>Claims room for one more socket; false (and logged) at the limit.</summary>
    public bool TryOpenSlot()
    {
        if (Interlocked.Increment(ref _openSockets) <= _options.MaxConnections) return true;
        int open = Interlocked.Decrement(ref _openSockets);
        TransportLog.Refused(_log, _kind, open);
        return false;
    }

    /// <summary>Gives back a slot from <see cref="TryOpenSlot"/> that no connection will use (e.g. a failed connect).</summary>
    public void ReleaseSlot() => Interlocked.Decrement(ref _openSockets);

    /// <summary>Runs one connection's whole life in a claimed slot and frees the slot when it ends, however it ends.</summary>
    public void RunInSlot(Func<CancellationToken, Task> connectionLife)
    {
        Track(Task.Run(async () =>
        {
            try
            {
                await connectionLife(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One connection's failure is that connection's end, never the transport's.
            }
            finally
            {
                ReleaseSlot();
            }
        }));
    }

    public long NextConnectionId() => Interlocked.Increment(ref _nextId);

    public void Add(ISipConnection connection) => _connections[connection.Id] = connection;

    public void Remove(ISipConnection connection) => _connections.TryRemove(new KeyValuePair<long, ISipConnection>(connection.Id, connection));

    /// <summary>The flow's own connection, else any open connection to the same remote address and port.</summary>
    /// <summary>
    /// Sends over the connection the flow names (the phone's own, as RFC 5923 reuse and NAT require); for transports
    /// that never dial out, a flow without a live connection is an error for the caller.
    /// </summary>
    public ValueTask SendOverExistingAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        Find(destination) is { } connection
            ? connection.WriteAsync(message, cancellationToken)
            : ValueTask.FromException(new SipConnectionUnavailableException(destination));

    public ISipConnection? Find(SipFlow destination)
    {
        if (destination.ConnectionId != 0 && _connections.TryGetValue(destination.ConnectionId, out var byId) && !byId.IsClosed) return byId;
        var remote = Normalize(destination.Remote);
        foreach (var c in _connections.Values)
        {
            if (!c.IsClosed && c.Remote.Equals(remote)) return c;
        }
        return null;
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

    internal static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _sweeper?.Dispose();
        _listener.Dispose();
        foreach (var c in _connections.Values) c.Close("closed locally");
        Task[] pending;
        lock (_tasksLock) pending = _tasks.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
