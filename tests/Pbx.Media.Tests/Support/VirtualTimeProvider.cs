namespace Pbx.Media.Tests.Support;

/// <summary>
/// A clock with timers that moves only when told to: <see cref="Advance"/> walks forward to each timer due time in
/// order and runs its callback synchronously, the way a real timer would fire at that instant.
/// </summary>
internal sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private long _now = 1_000_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate) return _now;
    }

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing every timer that falls due on the way (bounded to avoid runaway loops).</summary>
    public void Advance(TimeSpan by)
    {
        long target;
        lock (_gate) target = _now + by.Ticks;
        for (var fired = 0; fired < 1_000_000; fired++)
        {
            VirtualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } due && due <= target && (next is null || due < next.DueAt)) next = timer;
                }
                if (next is null)
                {
                    _now = target;
                    return;
                }
                _now = Math.Max(_now, next.DueAt!.Value);
                next.DueAt = next.Period is { } period ? _now + period : null;
            }
            next.Fire();
        }
        throw new InvalidOperationException("Too many timer firings in one Advance.");
    }

    /// <summary>Moves time forward without firing timers, as if the process had been descheduled.</summary>
    public void AdvanceWithoutTimers(TimeSpan by)
    {
        lock (_gate) _now += by.Ticks;
    }

    private void Remove(VirtualTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? DueAt { get; set; }
        public long? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
            }
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
