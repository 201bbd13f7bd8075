using System.Globalization;

namespace Pbx.Bench.Mixer;

/// <summary>
/// CPU time all processes together used, from Linux's /proc/stat: minus our own process it shows how much other
/// programs took during a level, which on a shared machine explains many a missed deadline. Zero elsewhere.
/// </summary>
internal static class SystemCpu
{
    // USER_HZ, the unit of /proc/stat, is 100 on every Linux architecture .NET runs on.
    private const long TicksPerJiffy = TimeSpan.TicksPerSecond / 100;

    public static TimeSpan Busy()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is already in user.
            var fields = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is null || fields.Length < 9 || fields[0] != "cpu") return TimeSpan.Zero;
            long busy = 0;
            for (var i = 1; i <= 8; i++)
            {
                if (i is 4 or 5) continue; // idle, iowait
                busy += long.Parse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture);
            }
            return TimeSpan.FromTicks(busy * TicksPerJiffy);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }
}
