namespace Pbx.Telephony.Tests;

/// <summary>
/// Time that moves only when a test says so. Timers fire in due order, each at its own instant, so code woken by a
/// timer sees the exact virtual time it was scheduled for. The timestamp frequency is deliberately odd, to catch
/// code that assumes Stopwatch ticks.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<VirtualTimer> _timers = [];
    private long _nowTicks;

    public VirtualClock(DateTimeOffset start) => UtcStart = start;

    public DateTimeOffset UtcStart { get; }
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _nowTicks));

    public override DateTimeOffset GetUtcNow() => UtcStart + Elapsed;
    public override long TimestampFrequency => 1_000_003;
    public override long GetTimestamp() => (long)(Elapsed.TotalSeconds * TimestampFrequency);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing every timer that falls due on the way, then lets woken code run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var target = Elapsed + by;
        while (true)
        {
            VirtualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due is { } due && due <= target).MinBy(t => t.Due);
                if (next is null) break;
                Interlocked.Exchange(ref _nowTicks, Math.Max(_nowTicks, next.Due!.Value.Ticks));
                next.Fired();
            }
            next.Invoke();
            await Settle();
        }
        Interlocked.Exchange(ref _nowTicks, target.Ticks);
        await Settle();
    }

    /// <summary>
    /// Gives continuations queued on the thread pool a chance to run before the test looks (or time moves on):
    /// at least five short pauses, more while the pool still has queued work, since a woken call chain that runs
    /// late would read a clock that has already moved past its instant.
    /// </summary>
    public static async Task Settle()
    {
        // Quiet means nothing queued and nothing finished since the last look: a continuation already running on a
        // pool thread (not queued any more) still counts as work until it completes.
        long completed = ThreadPool.CompletedWorkItemCount;
        for (int quietRounds = 0, rounds = 0; quietRounds < 5 && rounds < 200; rounds++)
        {
            await Task.Delay(1);
            var now = ThreadPool.CompletedWorkItemCount;
            // A continuation a pool thread has taken but not finished (preempted on a loaded machine) is neither
            // queued nor completed: only the count of busy workers shows it. This continuation is one of them.
            ThreadPool.GetAvailableThreads(out var idleWorkers, out _);
            ThreadPool.GetMaxThreads(out var maxWorkers, out _);
            var othersBusy = maxWorkers - idleWorkers > 1;
            // Our own Task.Delay continuation completes one work item per round; more than that is someone else's.
            quietRounds = ThreadPool.PendingWorkItemCount == 0 && now - completed <= 2 && !othersBusy ? quietRounds + 1 : 0;
            completed = now;
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public TimeSpan? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
                _period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.Elapsed + dueTime;
                if (Due is not null) clock._timers.Add(this);
            }
            return true;
        }

        public void Fired()
        {
            Due = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? Due + _period : null;
            if (Due is null) clock._timers.Remove(this);
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._lock) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
