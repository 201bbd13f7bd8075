namespace Pbx.Sip.Tests.Helpers;

/// <summary>
/// A clock that moves only when told (YARP-style test clock). Timers fire synchronously inside <see cref="Advance"/>,
/// in due order, with the clock set to each timer's due time. The timestamp frequency is deliberately odd so code
/// that assumes ticks == 100 ns or ms fails.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private const long Frequency = 1_000_003;
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;

    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public override long TimestampFrequency => Frequency;

    public override long GetTimestamp()
    {
        lock (_lock) return _ticks;
    }

    public int ActiveTimerCount
    {
        get
        {
            lock (_lock) return _timers.Count(t => t.Due is not null);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    MoveTo(target);
                    return;
                }
                MoveTo(next.Due!.Value);
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }
            next.Fire();
        }
    }

    private void MoveTo(DateTimeOffset when)
    {
        if (when <= _now) return;
        _ticks += (long)((when - _now).TotalSeconds * Frequency);
        _now = when;
    }

    private long _sequence;

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            lock (owner._lock) owner._timers.Add(this);
        }

        public DateTimeOffset? Due { get; set; }
        public TimeSpan Period { get; private set; }
        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                Period = period;
                Sequence = ++_owner._sequence;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._now + dueTime;
            }
            return true;
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._lock)
            {
                Due = null;
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
