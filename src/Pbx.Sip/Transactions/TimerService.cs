namespace Pbx.Sip.Transactions;

/// <summary>
/// One timer for all transactions (Kestrel-style heartbeat, but armed for the earliest deadline): a priority queue of
/// deadlines and a single <see cref="ITimer"/> from the <see cref="TimeProvider"/>. Cancelled entries are skipped lazily.
/// </summary>
internal sealed class TimerService : IDisposable
{
    // Deadlines this close are treated as due, so clock rounding can never re-arm a timer for "0 ms" forever.
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(1);

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly PriorityQueue<TimerHandle, DateTimeOffset> _queue = new();
    private readonly Lock _lock = new();
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;
    private bool _disposed;
    private int _cancelledSinceCompaction;

    public TimerService(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((TimerService)s!).OnTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    public TimerHandle Schedule(TimeSpan delay, Action<object> callback, object state)
    {
        var due = _time.GetUtcNow() + delay;
        var handle = new TimerHandle(this, callback, state);
        lock (_lock)
        {
            if (_disposed) return handle;
            CompactIfMostlyCancelled();
            _queue.Enqueue(handle, due);
            if (due < _armedFor) Arm(due);
        }
        return handle;
    }

    internal void NoteCancelled() => Interlocked.Increment(ref _cancelledSinceCompaction);

    // Cancelled entries leave lazily when due; long guards (Timer B, pending lifetime) would otherwise pile up under load.
    private void CompactIfMostlyCancelled()
    {
        if (_queue.Count < 4096 || Volatile.Read(ref _cancelledSinceCompaction) < _queue.Count / 2) return;
        var live = new List<(TimerHandle, DateTimeOffset)>(_queue.Count / 2);
        foreach (var (handle, due) in _queue.UnorderedItems)
        {
            if (!handle.IsCancelled) live.Add((handle, due));
        }
        _queue.Clear();
        _queue.EnqueueRange(live);
        Interlocked.Exchange(ref _cancelledSinceCompaction, 0);
    }

    private void Arm(DateTimeOffset due)
    {
        _armedFor = due;
        var delay = due - _time.GetUtcNow();
        _timer.Change(delay < Tolerance ? Tolerance : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnTick()
    {
        List<TimerHandle>? due = null;
        lock (_lock)
        {
            if (_disposed) return;
            var now = _time.GetUtcNow() + Tolerance;
            while (_queue.TryPeek(out var handle, out var when) && when <= now)
            {
                _queue.Dequeue();
                if (!handle.IsCancelled) (due ??= []).Add(handle);
            }
            _armedFor = DateTimeOffset.MaxValue;
            if (_queue.TryPeek(out _, out var next)) Arm(next);
        }
        if (due is null) return;
        foreach (var handle in due)
        {
            handle.Fire();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _queue.Clear();
        }
        _timer.Dispose();
    }
}

internal sealed class TimerHandle
{
    private readonly TimerService _service;
    private readonly Action<object> _callback;
    private readonly object _state;
    private volatile bool _cancelled;

    public TimerHandle(TimerService service, Action<object> callback, object state)
    {
        _service = service;
        _callback = callback;
        _state = state;
    }

    public bool IsCancelled => _cancelled;

    public void Cancel()
    {
        if (_cancelled) return;
        _cancelled = true;
        _service.NoteCancelled();
    }

    public void Fire()
    {
        if (!_cancelled) _callback(_state);
    }
}
