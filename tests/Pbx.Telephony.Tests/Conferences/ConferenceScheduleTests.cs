using System.Diagnostics;
using Pbx.Telephony.Conferences;

namespace Pbx.Telephony.Tests.Conferences;

public sealed class ConferenceScheduleTests
{
    private static readonly TimeSpan Berlin = TimeSpan.FromHours(1);

    private static ScheduledConference Conference(DateTimeOffset start, ConferenceRepetition repetition, TimeSpan? duration = null) =>
        new(1, "Weekly sync", start, repetition, duration ?? TimeSpan.FromHours(1), "1234", [new ConferenceInvitee("alice", null, true, true)]);

    private static DateTimeOffset At(int year, int month, int day, int hour = 9, int minute = 0, TimeSpan? offset = null) =>
        new(year, month, day, hour, minute, 0, offset ?? Berlin);

    [Fact]
    public void Once_is_its_start_until_it_has_passed()
    {
        var c = Conference(At(2026, 3, 2), ConferenceRepetition.Once);

        Assert.Equal(c.Start, ConferenceSchedule.NextOccurrence(c, At(2026, 1, 1)));
        Assert.Equal(c.Start, ConferenceSchedule.NextOccurrence(c, c.Start));
        Assert.Null(ConferenceSchedule.NextOccurrence(c, c.Start.AddTicks(1)));
        Assert.Equal([c.Start], ConferenceSchedule.Upcoming(c, At(2026, 1, 1), 5));
        Assert.Empty(ConferenceSchedule.Upcoming(c, At(2026, 4, 1), 5));
    }

    [Fact]
    public void Daily_steps_one_day_and_keeps_the_start_offset()
    {
        var c = Conference(At(2026, 3, 2), ConferenceRepetition.Daily);

        var next = ConferenceSchedule.NextOccurrence(c, At(2026, 3, 5, 9, 1));

        Assert.Equal(At(2026, 3, 6), next);
        Assert.Equal(Berlin, next!.Value.Offset);
        Assert.Equal(At(2026, 3, 5), ConferenceSchedule.NextOccurrence(c, At(2026, 3, 5)));
        // The same instant written in another offset finds the same occurrence.
        Assert.Equal(At(2026, 3, 6), ConferenceSchedule.NextOccurrence(c, new DateTimeOffset(2026, 3, 5, 8, 1, 0, TimeSpan.Zero)));
        Assert.Equal([At(2026, 3, 2), At(2026, 3, 3), At(2026, 3, 4)], ConferenceSchedule.Upcoming(c, At(2025, 1, 1), 3));
    }

    [Fact]
    public void Weekly_steps_seven_days()
    {
        var c = Conference(At(2026, 3, 2), ConferenceRepetition.Weekly);

        Assert.Equal([At(2026, 3, 16), At(2026, 3, 23), At(2026, 3, 30)], ConferenceSchedule.Upcoming(c, At(2026, 3, 10), 3));
    }

    [Fact]
    public void Monthly_clamps_to_short_months_and_returns_to_the_start_day()
    {
        var c = Conference(At(2026, 1, 31, 18, 30), ConferenceRepetition.Monthly);

        var upcoming = ConferenceSchedule.Upcoming(c, c.Start, 4);

        Assert.Equal([At(2026, 1, 31, 18, 30), At(2026, 2, 28, 18, 30), At(2026, 3, 31, 18, 30), At(2026, 4, 30, 18, 30)], upcoming);
    }

    [Fact]
    public void Monthly_uses_february_29_in_a_leap_year()
    {
        var c = Conference(At(2027, 12, 31), ConferenceRepetition.Monthly);

        Assert.Equal(At(2028, 2, 29), ConferenceSchedule.NextOccurrence(c, At(2028, 2, 1)));
        Assert.Equal(At(2028, 3, 31), ConferenceSchedule.NextOccurrence(c, At(2028, 2, 29, 9, 1)));
    }

    [Fact]
    public void Monthly_reads_the_calendar_in_the_start_offset()
    {
        // 23:30 on the 31st in +01:00 is still the 31st there, though UTC has moved on to the 1st.
        var c = Conference(At(2026, 1, 31, 23, 30), ConferenceRepetition.Monthly);

        Assert.Equal(At(2026, 2, 28, 23, 30), ConferenceSchedule.NextOccurrence(c, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Current_occurrence_covers_start_up_to_but_not_including_its_end()
    {
        var c = Conference(At(2026, 3, 2), ConferenceRepetition.Daily, TimeSpan.FromMinutes(30));

        Assert.Null(ConferenceSchedule.CurrentOccurrence(c, At(2026, 3, 2, 8, 59)));
        Assert.Equal(At(2026, 3, 4), ConferenceSchedule.CurrentOccurrence(c, At(2026, 3, 4)));
        Assert.Equal(At(2026, 3, 4), ConferenceSchedule.CurrentOccurrence(c, At(2026, 3, 4, 9, 29)));
        Assert.Null(ConferenceSchedule.CurrentOccurrence(c, At(2026, 3, 4, 9, 30)));
        Assert.Null(ConferenceSchedule.CurrentOccurrence(Conference(At(2026, 3, 2), ConferenceRepetition.Once), At(2026, 3, 3)));
    }

    [Fact]
    public void Current_monthly_occurrence_is_found_in_a_clamped_month()
    {
        var c = Conference(At(2026, 1, 31), ConferenceRepetition.Monthly);

        Assert.Equal(At(2026, 2, 28), ConferenceSchedule.CurrentOccurrence(c, At(2026, 2, 28, 9, 15)));
        Assert.Null(ConferenceSchedule.CurrentOccurrence(c, At(2026, 3, 30, 9, 15)));
    }

    [Fact]
    public void Far_future_queries_jump_instead_of_walking()
    {
        var daily = Conference(At(2000, 1, 1), ConferenceRepetition.Daily);
        var monthly = Conference(At(2000, 1, 31), ConferenceRepetition.Monthly);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(At(9000, 6, 2), ConferenceSchedule.NextOccurrence(daily, At(9000, 6, 1, 10)));
            Assert.Equal(At(9000, 6, 30), ConferenceSchedule.NextOccurrence(monthly, At(9000, 6, 1)));
            Assert.Equal(At(9000, 6, 1), ConferenceSchedule.CurrentOccurrence(daily, At(9000, 6, 1, 9, 30)));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_end_of_the_calendar_gives_no_occurrence_instead_of_throwing()
    {
        var daily = Conference(At(9999, 12, 30, 9, 0, TimeSpan.Zero), ConferenceRepetition.Daily);
        var monthly = Conference(At(9999, 11, 30, 9, 0, TimeSpan.Zero), ConferenceRepetition.Monthly);

        Assert.Null(ConferenceSchedule.NextOccurrence(daily, At(9999, 12, 31, 10, 0, TimeSpan.Zero)));
        Assert.Null(ConferenceSchedule.NextOccurrence(monthly, At(9999, 12, 30, 10, 0, TimeSpan.Zero)));
        Assert.Equal(2, ConferenceSchedule.Upcoming(daily, daily.Start, 10).Count);
        Assert.Null(ConferenceSchedule.CurrentOccurrence(daily, DateTimeOffset.MaxValue));
    }
}
