using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pbx.Media.Timing;

/// <summary>
/// The one 20 ms clock of the media engine. Deadlines are absolute (start + n × 20 ms on the
/// <see cref="TimeProvider"/>'s timestamp), and the one-shot timer is re-armed for the next deadline after each run,
/// so timer latency never accumulates into drift. Ticks more than <see cref="MaxCatchUpTicks"/> periods overdue
/// (a stalled process) are skipped rather than run in a burst, and counted. Handlers run one after another on the
/// ticker's thread; adding or removing one copies the handler array, so ticking itself never allocates or locks.
/// On the system clock the ticker runs on its own thread, waiting for each deadline: timer callbacks go through the
/// thread pool, and a pool short of threads (start-up, a burst of blocking work elsewhere) would stall every call's
/// audio. With any other <see cref="TimeProvider"/> (tests) it uses that provider's timers.
/// </summary>
public sealed class MediaTicker : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);
    public const int MaxCatchUpTicks = 5;
    private const long LateLogIntervalTicks = 50;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _lateThreshold;
    private readonly long _periodNumerator;
    private readonly Lock _gate = new();
    private IMediaTickHandler[] _handlers = [];
    private readonly bool _dedicatedThread;
    private readonly ManualResetEventSlim _stopSignal = new();
    private ITimer? _timer;
    private Thread? _thread;
    private long _origin;
    private long _nextTick;
    private long _ticksRun;
    private long _lateTicks;
    private long _skippedTicks;
    private long _lastLateLogTick = -LateLogIntervalTicks;
    private int _running;
    private int _disposed;

    /// <param name="lateThreshold">A tick running later than this after its deadline is counted and logged (default 5 ms).</param>
    public MediaTicker(TimeProvider? timeProvider = null, ILogger? logger = null, TimeSpan? lateThreshold = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _dedicatedThread = ReferenceEquals(_time, TimeProvider.System);
        _logger = logger ?? NullLogger.Instance;
        _lateThreshold = lateThreshold ?? TimeSpan.FromMilliseconds(5);
        // Deadline n is origin + n × frequency × 20 / 1000, computed exactly in integers.
        _periodNumerator = _time.TimestampFrequency * (long)Period.TotalMilliseconds;
    }

    public TimeProvider TimeProvider => _time;
    public long TicksRun => Interlocked.Read(ref _ticksRun);
    public long LateTicks => Interlocked.Read(ref _lateTicks);
    public long SkippedTicks => Interlocked.Read(ref _skippedTicks);
    public int HandlerCount => Volatile.Read(ref _handlers).Length;

    public void Add(IMediaTickHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            if (Array.IndexOf(_handlers, handler) >= 0) return;
            Volatile.Write(ref _handlers, [.. _handlers, handler]);
        }
    }

    public void Remove(IMediaTickHandler handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, handler);
            if (index < 0) return;
            var copy = new IMediaTickHandler[_handlers.Length - 1];
            _handlers.AsSpan(0, index).CopyTo(copy);
            _handlers.AsSpan(index + 1).CopyTo(copy.AsSpan(index));
            Volatile.Write(ref _handlers, copy);
        }
    }

    /// <summary>Starts ticking; the first tick is due one period from now.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _running, 1) != 0) return;
        _origin = _time.GetTimestamp();
        _nextTick = 0;
        if (_dedicatedThread)
        {
            _thread = new Thread(RunThread) { IsBackground = true, Name = "Media ticker", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
            return;
        }
        // Timer callbacks must not capture the starter's ExecutionContext (see RtpRelaySession.Start).
        using (ExecutionContext.SuppressFlow())
        {
            _timer = _time.CreateTimer(static state => ((MediaTicker)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        Arm(_time.GetTimestamp());
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        lock (_gate) _timer?.Dispose();
        _stopSignal.Set();
        // A handler disposing the ticker from the ticker thread itself must not join (or free the signal it waits on).
        if (_thread is null || _thread == Thread.CurrentThread) return;
        _thread.Join();
        _stopSignal.Dispose();
    }

    private long DeadlineOf(long tick) => _origin + (tick * _periodNumerator / 1000) + (_periodNumerator / 1000);

    private void RunThread()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            var now = RunDueTicks();
            // Whole milliseconds, rounded up: a shorter wait would return early and spin until the deadline.
            if (_stopSignal.Wait(MillisecondsUntilNextDeadline(now))) return;
        }
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        Arm(RunDueTicks());
    }

    /// <summary>Runs every tick whose deadline has passed; returns the time it finished.</summary>
    private long RunDueTicks()
    {
        var now = _time.GetTimestamp();
        // Checked per tick: when every tick overruns its period the loop never catches up, and Dispose must still end it.
        while (DeadlineOf(_nextTick) <= now && Volatile.Read(ref _disposed) == 0)
        {
            var overdue = _time.GetElapsedTime(DeadlineOf(_nextTick), now);
            if (overdue >= Period * MaxCatchUpTicks)
            {
                var skip = (long)(overdue / Period);
                Interlocked.Add(ref _skippedTicks, skip);
                MediaTickerLog.Skipped(_logger, skip, overdue.TotalMilliseconds);
                _nextTick += skip;
                continue;
            }
            RunHandlers(new MediaTick(_nextTick, overdue));
            _nextTick++;
            now = _time.GetTimestamp();
        }
        return now;
    }

    private void RunHandlers(in MediaTick tick)
    {
        if (tick.Lateness > _lateThreshold)
        {
            Interlocked.Increment(ref _lateTicks);
            // At most one warning per second of ticks, so a loaded machine does not also drown in log lines.
            if (tick.Number - _lastLateLogTick >= LateLogIntervalTicks)
            {
                _lastLateLogTick = tick.Number;
                MediaTickerLog.Late(_logger, tick.Number, tick.Lateness.TotalMilliseconds);
            }
        }
        var handlers = Volatile.Read(ref _handlers);
        foreach (var handler in handlers)
        {
            try
            {
                handler.OnTick(tick);
            }
            catch (Exception exception)
            {
                // One faulty handler must not stop the clock for every call and conference.
                MediaTickerLog.HandlerFailed(_logger, exception, handler.GetType().Name);
            }
        }
        Interlocked.Increment(ref _ticksRun);
    }

    /// <summary>Rounded up, at least 1: timers have millisecond resolution and firing early costs a wake-up.</summary>
    private int MillisecondsUntilNextDeadline(long now) =>
        (int)Math.Clamp(Math.Ceiling(_time.GetElapsedTime(now, DeadlineOf(_nextTick)).TotalMilliseconds), 1, Period.TotalMilliseconds);

    private void Arm(long now)
    {
        var milliseconds = MillisecondsUntilNextDeadline(now);
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) == 0) _timer?.Change(TimeSpan.FromMilliseconds(milliseconds), Timeout.InfiniteTimeSpan);
        }
    }
}

internal static partial class MediaTickerLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Media tick {Tick} ran {LatenessMs:F1} ms late")]
    public static partial void Late(ILogger logger, long tick, double latenessMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Media clock stalled {OverdueMs:F0} ms; skipped {Count} ticks")]
    public static partial void Skipped(ILogger logger, long count, double overdueMs);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Media tick handler {Handler} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler);
}
