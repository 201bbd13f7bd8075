using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// What every connection-oriented SIP connection (TCP, TLS, WebSocket) shares: identity, idle tracking, one write at a
/// time, an idempotent close that wakes the read loop, and a release that waits for a write in flight. Subclasses
/// bring their read loop, their write primitive and what they dispose.
/// </summary>
internal abstract class SipConnectionBase : ISipConnection
{
    private readonly CancellationTokenSource _closed = new();
    private long _lastActivity;
    private int _closing;

    protected SipConnectionBase(long id, SipTransportKind kind, Socket socket, IPEndPoint remote, TimeProvider time)
    {
        Id = id;
        Kind = kind;
        Socket = socket;
        Remote = remote;
        Time = time;
        Touch();
    }

    public long Id { get; }

    public IPEndPoint Remote { get; }

    public TimeSpan Idle => Time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public bool IsClosed => _closed.IsCancellationRequested;

    protected SipTransportKind Kind { get; }

    protected Socket Socket { get; }

    protected TimeProvider Time { get; }

    /// <summary>Held by every write; the release waits for it so nothing is disposed under a write in flight.</summary>
    protected SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Cancelled by <see cref="Close"/>: the read loop's cue to stop.</summary>
    protected CancellationToken ClosedToken => _closed.Token;

    protected string CloseReason { get; set; } = "remote closed";

    protected SipFlow Flow => new(Kind, Remote, Id);

    /// <summary>Marks activity, so the listener's idle sweep leaves the connection alone.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, Time.GetTimestamp());

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            await WriteCoreAsync(data, cancellationToken).ConfigureAwait(false);
            Touch();
        }
        finally
        {
            WriteLock.Release();
        }
    }

    /// <summary>Stops the connection: the read loop ends and releases everything.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        CloseReason = reason;
        _closed.Cancel();
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: closing is all that was asked for.
        }
    }

    /// <summary>Sends one whole message; called with the write lock held.</summary>
    protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>The end of the read loop: close, let a write in flight finish, dispose, and say why it ended.</summary>
    protected async Task ReleaseAsync(ILogger log, Func<ValueTask> dispose)
    {
        Close(CloseReason);
        await WriteLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await dispose().ConfigureAwait(false);
        }
        finally
        {
            WriteLock.Release();
        }
        TransportLog.Closed(log, Kind, Id, Remote, CloseReason);
    }
}
