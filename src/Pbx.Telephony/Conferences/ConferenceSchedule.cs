namespace Pbx.Telephony.Conferences;

/// <summary>
/// When a scheduled conference takes place. Occurrence n is computed from <see cref="ScheduledConference.Start"/>
/// directly, never from occurrence n-1: stepping month by month would let one clamp (Jan 31 → Feb 28) stick to every
/// later month, and stepping day by day would cost years of iterations for a conference far from its start.
/// </summary>
public static class ConferenceSchedule
{
    /// <summary>The first occurrence starting at or after <paramref name="notBefore"/>; null when there is none.</summary>
    public static DateTimeOffset? NextOccurrence(ScheduledConference c, DateTimeOffset notBefore) =>
        FirstIndexAtOrAfter(c, notBefore) is { } index ? OccurrenceAt(c, index) : null;

    /// <summary>The occurrence in progress at <paramref name="now"/> (start &lt;= now &lt; start + duration); null when none is.</summary>
    public static DateTimeOffset? CurrentOccurrence(ScheduledConference c, DateTimeOffset now)
    {
        if (LastIndexAtOrBefore(c, now) is not { } index || OccurrenceAt(c, index) is not { } start) return null;
        // Subtracting cannot overflow where start + duration could, near the end of the calendar.
        return now - start < c.Duration ? start : null;
    }

    /// <summary>Up to <paramref name="count"/> occurrences starting at or after <paramref name="from"/>, earliest first.</summary>
    public static IReadOnlyList<DateTimeOffset> Upcoming(ScheduledConference c, DateTimeOffset from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var occurrences = new List<DateTimeOffset>(Math.Min(count, 64));
        if (FirstIndexAtOrAfter(c, from) is not { } first) return occurrences;
        for (var index = first; occurrences.Count < count && OccurrenceAt(c, index) is { } start; index++)
            occurrences.Add(start);
        return occurrences;
    }

    /// <summary>The start of occurrence <paramref name="index"/> (0 is <see cref="ScheduledConference.Start"/>); null past the calendar's end.</summary>
    private static DateTimeOffset? OccurrenceAt(ScheduledConference c, long index)
    {
        if (index == 0) return c.Start;
        try
        {
            return c.Repetition switch
            {
                ConferenceRepetition.Daily => c.Start.AddTicks(checked(index * TimeSpan.TicksPerDay)),
                ConferenceRepetition.Weekly => c.Start.AddTicks(checked(index * 7 * TimeSpan.TicksPerDay)),
                ConferenceRepetition.Monthly => MonthlyOccurrence(c.Start, index),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    private static DateTimeOffset MonthlyOccurrence(DateTimeOffset start, long index)
    {
        // The local calendar of the start's own offset: a 09:00+01:00 meeting stays at 09:00+01:00 every month.
        var monthNumber = checked(start.Year * 12L + start.Month - 1 + index);
        if (monthNumber is < 12 or > 9999 * 12 + 11) throw new ArgumentOutOfRangeException(nameof(index));
        var year = (int)(monthNumber / 12);
        var month = (int)(monthNumber % 12) + 1;
        var day = Math.Min(start.Day, DateTime.DaysInMonth(year, month));
        return new DateTimeOffset(new DateTime(year, month, day).Add(start.TimeOfDay), start.Offset);
    }

    /// <summary>The index of the first occurrence starting at or after <paramref name="instant"/>; null when there is none.</summary>
    private static long? FirstIndexAtOrAfter(ScheduledConference c, DateTimeOffset instant)
    {
        if (instant <= c.Start) return 0;
        long? candidate = c.Repetition switch
        {
            ConferenceRepetition.Daily => CeilingPeriods(instant - c.Start, TimeSpan.TicksPerDay),
            ConferenceRepetition.Weekly => CeilingPeriods(instant - c.Start, 7 * TimeSpan.TicksPerDay),
            // Whole calendar months between the two, less one: never past the answer, which is then at most two steps on.
            ConferenceRepetition.Monthly => Math.Max(0, MonthsBetween(c.Start, instant) - 1),
            _ => null,
        };
        if (candidate is not { } index) return null;
        while (OccurrenceAt(c, index) is { } start)
        {
            if (start >= instant) return index;
            index++;
        }
        return null;
    }

    /// <summary>The index of the latest occurrence starting at or before <paramref name="instant"/>; null before the first.</summary>
    private static long? LastIndexAtOrBefore(ScheduledConference c, DateTimeOffset instant)
    {
        if (instant < c.Start) return null;
        long? candidate = c.Repetition switch
        {
            ConferenceRepetition.Once => 0,
            ConferenceRepetition.Daily => (instant - c.Start).Ticks / TimeSpan.TicksPerDay,
            ConferenceRepetition.Weekly => (instant - c.Start).Ticks / (7 * TimeSpan.TicksPerDay),
            // The occurrence in the instant's own month, or the one before when that month's day is still to come.
            ConferenceRepetition.Monthly => MonthsBetween(c.Start, instant),
            _ => null,
        };
        if (candidate is not { } index) return null;
        while (index > 0 && (OccurrenceAt(c, index) is not { } start || start > instant)) index--;
        return index;
    }

    private static long CeilingPeriods(TimeSpan elapsed, long periodTicks) => (elapsed.Ticks + periodTicks - 1) / periodTicks;

    /// <summary>Calendar months from <paramref name="start"/> to <paramref name="instant"/>, both read in the start's offset.</summary>
    private static long MonthsBetween(DateTimeOffset start, DateTimeOffset instant)
    {
        // Clamped rather than ToOffset, which throws where the local time leaves the calendar; callers step past the error.
        var localTicks = Math.Clamp(instant.UtcTicks + start.Offset.Ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
        var local = new DateTime(localTicks);
        return (local.Year - start.Year) * 12L + local.Month - start.Month;
    }
}
