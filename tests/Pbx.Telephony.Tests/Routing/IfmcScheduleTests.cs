using Pbx.Telephony.Routing;

namespace Pbx.Telephony.Tests.Routing;

public sealed class IfmcScheduleTests
{
    private static readonly HashSet<DayOfWeek> Sunday = [DayOfWeek.Sunday];

    private static IfmcSchedule Berlin(IReadOnlySet<DayOfWeek> days, int fromHour, int toHour) =>
        new("Europe/Berlin", [new ScheduleWindow(days, new TimeOnly(fromHour, 0), new TimeOnly(toHour, 0))]);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_range_across_midnight_runs_into_the_next_day()
    {
        var fridayNights = Berlin(new HashSet<DayOfWeek> { DayOfWeek.Friday }, 22, 6);

        Assert.False(fridayNights.IsActiveAt(Utc(11, 27, 20, 0)), "Friday 21:00 local is before the window");
        Assert.True(fridayNights.IsActiveAt(Utc(11, 27, 22, 30)), "Friday 23:30 local");
        Assert.True(fridayNights.IsActiveAt(Utc(11, 28, 4, 59)), "Saturday 05:59 local, still Friday's window");
        Assert.False(fridayNights.IsActiveAt(Utc(11, 28, 5, 0)), "Saturday 06:00 local ends it");
        Assert.False(fridayNights.IsActiveAt(Utc(11, 28, 22, 30)), "Saturday 23:30 local: Saturday is not listed");
    }

    [Fact]
    public void On_the_spring_forward_day_the_skipped_hour_never_matches_and_later_hours_use_summer_time()
    {
        // Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC on Sunday 29 March 2026.
        var twoToThree = Berlin(Sunday, 2, 3);
        var threeToFour = Berlin(Sunday, 3, 4);

        Assert.False(twoToThree.IsActiveAt(Utc(3, 29, 0, 59)), "01:59 CET");
        Assert.False(twoToThree.IsActiveAt(Utc(3, 29, 1, 30)), "02:30 does not exist that day: 01:30 UTC is 03:30 CEST");
        Assert.True(threeToFour.IsActiveAt(Utc(3, 29, 1, 30)), "03:30 CEST");
    }

    [Fact]
    public void On_the_fall_back_day_the_repeated_hour_matches_both_times()
    {
        // Berlin goes from 03:00 CEST back to 02:00 CET at 01:00 UTC on Sunday 25 October 2026.
        var twoToThree = Berlin(Sunday, 2, 3);

        Assert.True(twoToThree.IsActiveAt(Utc(10, 25, 0, 30)), "02:30 CEST");
        Assert.True(twoToThree.IsActiveAt(Utc(10, 25, 1, 30)), "02:30 CET, the second time round");
        Assert.False(twoToThree.IsActiveAt(Utc(10, 25, 2, 0)), "03:00 CET");
        Assert.False(twoToThree.IsActiveAt(Utc(10, 24, 23, 30)), "01:30 CEST");
    }

    [Fact]
    public void Any_window_of_several_may_match()
    {
        var schedule = new IfmcSchedule("Europe/Berlin", [
            new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Monday }, new TimeOnly(8, 0), new TimeOnly(9, 0)),
            new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Monday }, new TimeOnly(17, 0), new TimeOnly(18, 0)),
        ]);

        Assert.True(schedule.IsActiveAt(Utc(11, 23, 16, 30)), "Monday 17:30 CET");
        Assert.False(schedule.IsActiveAt(Utc(11, 23, 12, 0)), "Monday 13:00 CET");
    }
}
