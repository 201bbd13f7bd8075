namespace Pbx.Telephony.Routing;

/// <summary>
/// Days and a local time range. <see cref="To"/> at or before <see cref="From"/> crosses midnight: the window opens on
/// one of <see cref="Days"/> and runs into the next day until <see cref="To"/>.
/// </summary>
public sealed record ScheduleWindow(IReadOnlySet<DayOfWeek> Days, TimeOnly From, TimeOnly To);

/// <summary>When an iFMC configuration applies, in the wall-clock time of <see cref="TimeZoneId"/> (IANA, e.g. "Europe/Berlin").</summary>
public sealed record IfmcSchedule(string TimeZoneId, IReadOnlyList<ScheduleWindow> Windows)
{
    /// <summary>
    /// Converts the instant to local wall-clock time first, so DST is handled by the time zone rules: on the
    /// spring-forward day the skipped hour never matches, on the fall-back day the repeated hour matches twice.
    /// </summary>
    public bool IsActiveAt(DateTimeOffset instant)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        var today = local.DayOfWeek;
        var yesterday = (DayOfWeek)(((int)today + 6) % 7);
        return Windows.Any(w => w.From < w.To
            ? w.Days.Contains(today) && time >= w.From && time < w.To
            : w.Days.Contains(today) && time >= w.From || w.Days.Contains(yesterday) && time < w.To);
    }
}
