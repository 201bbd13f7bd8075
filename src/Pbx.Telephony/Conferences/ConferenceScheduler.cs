using Microsoft.Extensions.Logging;

namespace Pbx.Telephony.Conferences;

/// <summary>
/// Launches the occurrences of scheduled conferences at their start. One timer is armed for the earliest next start
/// among all conferences; each wake-up (and each <see cref="IConferenceStore.Changed"/>) runs a pass that launches
/// every occurrence in progress that was not launched yet. So an occurrence still running when the daemon restarts is
/// launched at once, one that ended while it was down is skipped, and the store's last-launched mark, written before
/// launching, keeps an occurrence from ever being launched twice.
/// </summary>
public sealed partial class ConferenceScheduler : IAsyncDisposable
{
    /// <summary>A failed load or mark is retried this soon, not only at the next start.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    // Wakes at least daily even with nothing due: timers cannot wait more than ~49 days, and a wall clock that was
    // set forward or back is noticed within a day instead of at a start computed from the old time.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromDays(1);

    private readonly IConferenceStore _store;
    private readonly IConferenceLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Passes run one at a time, so a reload never interleaves with the launches of a timer pass.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private volatile bool _disposed;

    public ConferenceScheduler(IConferenceStore store, IConferenceLauncher launcher, TimeProvider time, ILogger<ConferenceScheduler> logger)
    {
        _store = store;
        _launcher = launcher;
        _time = time;
        _logger = logger;
    }

    /// <summary>Loads the conferences, launches any occurrence already in progress and arms the timer.</summary>
    public async Task StartAsync(CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_timer is not null) throw new InvalidOperationException("the conference scheduler is already started");
        _timer = _time.CreateTimer(_ => _ = RunPassAsync(CancellationToken.None), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _store.Changed += OnStoreChanged;
        await RunPassAsync(cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _store.Changed -= OnStoreChanged;
        await _stopping.CancelAsync();
        // Waiting for the gate lets a pass in flight finish before the timer it may re-arm goes away.
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_timer is not null) await _timer.DisposeAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnStoreChanged() => _ = RunPassAsync(CancellationToken.None);

    /// <summary>Launches what is due and re-arms the timer; never throws, as it runs from timer and event callbacks.</summary>
    private async Task RunPassAsync(CancellationToken cancellation)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, cancellation);
            await _gate.WaitAsync(linked.Token);
            try
            {
                if (_disposed) return;
                var healthy = true;
                IReadOnlyList<ScheduledConference>? conferences = null;
                try
                {
                    // Always from the store: it is the truth after a Changed, and a pass per occurrence start is cheap.
                    conferences = await _store.ListScheduledAsync(linked.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !linked.IsCancellationRequested)
                {
                    Log.LoadFailed(_logger, ex);
                    healthy = false;
                }
                // One instant for the whole pass: a start that falls due while the pass runs is then still ahead of
                // it, so the timer is armed for it (at once) rather than skipping it.
                var now = _time.GetUtcNow();
                if (conferences is not null)
                {
                    foreach (var conference in conferences)
                        healthy &= await LaunchIfDueAsync(conference, now, linked.Token);
                }
                Arm(conferences ?? [], now, healthy);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested || cancellation.IsCancellationRequested)
        {
            // Disposed or start-up abandoned: nothing to launch any more.
        }
        catch (Exception ex)
        {
            Log.PassFailed(_logger, ex);
        }
    }

    /// <returns>False when the store failed and the pass should be retried soon.</returns>
    private async Task<bool> LaunchIfDueAsync(ScheduledConference conference, DateTimeOffset now, CancellationToken cancellation)
    {
        if (ConferenceSchedule.CurrentOccurrence(conference, now) is not { } occurrence) return true;
        try
        {
            if (await _store.GetLastLaunchedAsync(conference.Id, cancellation) is { } last && last >= occurrence) return true;
            // Marked first: a crash between the two loses one launch rather than ringing everyone twice.
            await _store.SetLastLaunchedAsync(conference.Id, occurrence, cancellation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            Log.MarkFailed(_logger, ex, conference.Id, occurrence);
            return false;
        }
        try
        {
            Log.Launching(_logger, conference.Id, conference.Name, occurrence);
            _launcher.Launch(conference, occurrence);
        }
        catch (Exception ex)
        {
            // Not retried: the occurrence is marked, and calling half the participants again would be worse than none.
            Log.LaunchFailed(_logger, ex, conference.Id, occurrence);
        }
        return true;
    }

    private void Arm(IReadOnlyList<ScheduledConference> conferences, DateTimeOffset now, bool healthy)
    {
        // Strictly after now: an occurrence starting at the pass's instant was handled by the pass.
        var next = conferences
            .Select(c => ConferenceSchedule.NextOccurrence(c, now.AddTicks(1)))
            .OfType<DateTimeOffset>()
            .DefaultIfEmpty(DateTimeOffset.MaxValue)
            .Min();
        var sleep = next == DateTimeOffset.MaxValue ? MaxSleep : next - _time.GetUtcNow();
        sleep = TimeSpan.FromTicks(Math.Clamp(sleep.Ticks, 0, MaxSleep.Ticks));
        if (!healthy && sleep > RetryDelay) sleep = RetryDelay;
        _timer?.Change(sleep, Timeout.InfiniteTimeSpan);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Launching conference {Id} '{Name}' for its occurrence at {Occurrence:o}")]
        public static partial void Launching(ILogger logger, long id, string name, DateTimeOffset occurrence);

        [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Launching conference {Id} for its occurrence at {Occurrence:o} failed")]
        public static partial void LaunchFailed(ILogger logger, Exception exception, long id, DateTimeOffset occurrence);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Loading the scheduled conferences failed; retrying soon")]
        public static partial void LoadFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Marking conference {Id} launched for {Occurrence:o} failed; not launching it yet")]
        public static partial void MarkFailed(ILogger logger, Exception exception, long id, DateTimeOffset occurrence);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "A conference scheduling pass failed")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
