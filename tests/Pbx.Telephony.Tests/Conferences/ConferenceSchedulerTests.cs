using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Telephony.Conferences;

namespace Pbx.Telephony.Tests.Conferences;

public sealed class ConferenceSchedulerTests : IAsyncLifetime
{
    // A Monday 08:00 UTC; conferences are written in +01:00 to show offsets do not confuse the timer.
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Berlin = TimeSpan.FromHours(1);

    private readonly VirtualClock _clock = new(T0);
    private readonly InMemoryConferenceStore _store = new();
    private readonly RecordingLauncher _launcher;
    private readonly List<ConferenceScheduler> _schedulers = [];

    public ConferenceSchedulerTests() => _launcher = new RecordingLauncher(_clock);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var scheduler in _schedulers) await scheduler.DisposeAsync();
    }

    private async Task<ConferenceScheduler> StartSchedulerAsync()
    {
        var scheduler = new ConferenceScheduler(_store, _launcher, _clock, NullLogger<ConferenceScheduler>.Instance);
        _schedulers.Add(scheduler);
        await scheduler.StartAsync(CancellationToken.None);
        await VirtualClock.Settle();
        return scheduler;
    }

    private Task<ScheduledConference> AddAsync(TimeSpan startsIn, ConferenceRepetition repetition, TimeSpan? duration = null) =>
        _store.AddScheduledAsync(new ScheduledConference(0, "Standup", (T0 + _clock.Elapsed + startsIn).ToOffset(Berlin), repetition,
            duration ?? TimeSpan.FromMinutes(15), "1234", [new ConferenceInvitee("alice", null, true, true)]), CancellationToken.None);

    [Fact]
    public async Task Launches_at_the_start_time_and_not_before()
    {
        var conference = await AddAsync(TimeSpan.FromHours(1), ConferenceRepetition.Once);
        await StartSchedulerAsync();

        await _clock.AdvanceAsync(TimeSpan.FromMinutes(59));
        Assert.Empty(_launcher.Launches);

        await _clock.AdvanceAsync(TimeSpan.FromMinutes(2));
        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(conference.Id, launch.ConferenceId);
        Assert.Equal(conference.Start, launch.OccurrenceStart);
        Assert.Equal(conference.Start, launch.LaunchedAt);
    }

    [Fact]
    public async Task A_daily_conference_launches_every_day_once()
    {
        var conference = await AddAsync(TimeSpan.FromHours(1), ConferenceRepetition.Daily);
        await StartSchedulerAsync();

        await _clock.AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Equal([conference.Start, conference.Start.AddDays(1), conference.Start.AddDays(2)],
            _launcher.Launches.Select(l => l.OccurrenceStart));
        Assert.All(_launcher.Launches, l => Assert.Equal(l.OccurrenceStart, l.LaunchedAt));
    }

    [Fact]
    public async Task A_restarted_scheduler_does_not_launch_the_same_occurrence_again()
    {
        await AddAsync(TimeSpan.FromMinutes(10), ConferenceRepetition.Daily, TimeSpan.FromHours(1));
        var first = await StartSchedulerAsync();
        await _clock.AdvanceAsync(TimeSpan.FromMinutes(20));
        Assert.Single(_launcher.Launches);

        await first.DisposeAsync();
        await StartSchedulerAsync();
        await _clock.AdvanceAsync(TimeSpan.FromMinutes(20));

        Assert.Single(_launcher.Launches);
    }

    [Fact]
    public async Task An_occurrence_in_progress_at_start_up_is_launched_at_once()
    {
        var conference = await AddAsync(TimeSpan.FromMinutes(-10), ConferenceRepetition.Once, TimeSpan.FromHours(1));

        await StartSchedulerAsync();

        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(conference.Start, launch.OccurrenceStart);
        Assert.Equal(T0, launch.LaunchedAt);
    }

    [Fact]
    public async Task An_occurrence_that_ended_while_the_daemon_was_down_is_skipped()
    {
        var once = await AddAsync(TimeSpan.FromHours(-2), ConferenceRepetition.Once, TimeSpan.FromHours(1));
        var daily = await AddAsync(TimeSpan.FromHours(-2), ConferenceRepetition.Daily, TimeSpan.FromHours(1));

        await StartSchedulerAsync();
        Assert.Empty(_launcher.Launches);

        await _clock.AdvanceAsync(TimeSpan.FromDays(1));
        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(daily.Id, launch.ConferenceId);
        Assert.Equal(daily.Start.AddDays(1), launch.OccurrenceStart);
        Assert.NotEqual(once.Id, launch.ConferenceId);
    }

    [Fact]
    public async Task A_conference_added_later_is_picked_up_through_changed()
    {
        await StartSchedulerAsync();
        await _clock.AdvanceAsync(TimeSpan.FromHours(1));

        var conference = await AddAsync(TimeSpan.FromMinutes(30), ConferenceRepetition.Once);
        await VirtualClock.Settle();
        await _clock.AdvanceAsync(TimeSpan.FromMinutes(31));

        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(conference.Start, launch.OccurrenceStart);
        Assert.Equal(conference.Start, launch.LaunchedAt);
    }

    [Fact]
    public async Task A_deleted_conference_is_not_launched()
    {
        var conference = await AddAsync(TimeSpan.FromMinutes(30), ConferenceRepetition.Once);
        await StartSchedulerAsync();

        await _store.DeleteScheduledAsync(conference.Id, CancellationToken.None);
        await VirtualClock.Settle();
        await _clock.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Empty(_launcher.Launches);
    }

    [Fact]
    public async Task A_throwing_launcher_does_not_stop_later_launches_nor_retry_the_failed_one()
    {
        var conference = await AddAsync(TimeSpan.FromHours(1), ConferenceRepetition.Daily, TimeSpan.FromHours(2));
        _launcher.FailuresToCome = 1;
        await StartSchedulerAsync();

        await _clock.AdvanceAsync(TimeSpan.FromDays(1) + TimeSpan.FromHours(1.5));

        Assert.Equal([conference.Start, conference.Start.AddDays(1)], _launcher.Launches.Select(l => l.OccurrenceStart));
    }

    [Fact]
    public async Task A_store_that_fails_at_start_up_is_retried()
    {
        var conference = await AddAsync(TimeSpan.FromMinutes(-5), ConferenceRepetition.Once, TimeSpan.FromHours(1));
        _store.FailListing = true;
        await StartSchedulerAsync();
        Assert.Empty(_launcher.Launches);

        _store.FailListing = false;
        await _clock.AdvanceAsync(ConferenceScheduler.RetryDelay);

        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(conference.Start, launch.OccurrenceStart);
    }

    [Fact]
    public async Task A_start_months_away_is_reached_through_daily_wake_ups()
    {
        var conference = await AddAsync(TimeSpan.FromDays(70), ConferenceRepetition.Monthly);
        await StartSchedulerAsync();

        await _clock.AdvanceAsync(TimeSpan.FromDays(70));

        var launch = Assert.Single(_launcher.Launches);
        Assert.Equal(conference.Start, launch.LaunchedAt);
    }

    [Fact]
    public async Task Nothing_is_launched_after_disposal()
    {
        await AddAsync(TimeSpan.FromMinutes(10), ConferenceRepetition.Daily);
        var scheduler = await StartSchedulerAsync();

        await scheduler.DisposeAsync();
        await _clock.AdvanceAsync(TimeSpan.FromDays(2));
        await AddAsync(TimeSpan.FromMinutes(-1), ConferenceRepetition.Once);
        await VirtualClock.Settle();

        Assert.Empty(_launcher.Launches);
    }
}
