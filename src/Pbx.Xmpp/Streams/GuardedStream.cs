namespace Pbx.Xmpp.Streams;

/// <summary>
/// Wraps the transport so that the XML parser can never pull more than a stanza budget of bytes
/// and never waits longer than the idle timeout. XmlReader's async API takes no token, so the
/// cancellation has to live here, at the byte source.
/// </summary>
internal sealed class GuardedStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _idleTimeout;
    // One idle timer per connection, re-armed per read, so steady traffic allocates nothing here.
    private readonly CancellationTokenSource _idle;
    private CancellationTokenSource _readCancellation;
    private CancellationToken _sessionToken;
    private long _budgetRemaining = long.MaxValue;

    public GuardedStream(Stream inner, TimeProvider timeProvider, TimeSpan idleTimeout)
    {
        _inner = inner;
        _idleTimeout = idleTimeout;
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _readCancellation = _idle;
    }

    public Stream Inner => _inner;

    /// <summary>True once a read gave up because the peer sent nothing within the idle timeout.</summary>
    public bool IdleTimedOut { get; private set; }

    public void SetSessionToken(CancellationToken token)
    {
        _sessionToken = token;
        _readCancellation = CancellationTokenSource.CreateLinkedTokenSource(_idle.Token, token);
    }

    /// <summary>True once the peer closed its side; a parse error after that is a lost connection, not bad XML.</summary>
    public bool ReachedEnd { get; private set; }

    public void ResetBudget(long bytes) => _budgetRemaining = bytes;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_budgetRemaining <= 0)
        {
            throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "Stanza too large.");
        }
        if (buffer.Length > _budgetRemaining) buffer = buffer[..(int)_budgetRemaining];

        CancellationTokenSource? callerLinked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_readCancellation.Token, cancellationToken)
            : null;
        int read;
        try
        {
            _idle.CancelAfter(_idleTimeout);
            read = await _inner.ReadAsync(buffer, (callerLinked ?? _readCancellation).Token).ConfigureAwait(false);
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (OperationCanceledException) when (_idle.IsCancellationRequested && !_sessionToken.IsCancellationRequested)
        {
            IdleTimedOut = true;
            throw new StreamErrorException(StreamErrorCondition.ConnectionTimeout, "Idle timeout.");
        }
        finally
        {
            callerLinked?.Dispose();
        }
        if (read == 0 && !buffer.IsEmpty) ReachedEnd = true;
        _budgetRemaining -= read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!ReferenceEquals(_readCancellation, _idle)) _readCancellation.Dispose();
            _idle.Dispose();
        }
        base.Dispose(disposing);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The XMPP reader is asynchronous only.");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => _inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
