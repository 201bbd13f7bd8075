using System.Globalization;

namespace Pbx.Bench.Mixer;

/// <summary>
/// CPU time of single threads from Linux's /proc schedstat (nanoseconds, unlike the 10 ms ticks of /proc stat), so
/// the simulated phones' share can be taken out of the process total. Elsewhere it reports nothing (zero).
/// </summary>
internal static class ThreadCpu
{
    /// <summary>The calling thread's kernel id, -1 when /proc is not there.</summary>
    public static int CurrentThreadId()
    {
        // /proc/thread-self links to "<pid>/task/<tid>" for whichever thread resolves it.
        var target = new FileInfo("/proc/thread-self").LinkTarget;
        if (target is null) return -1;
        return int.TryParse(target.AsSpan(target.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;
    }

    public static TimeSpan Read(int threadId)
    {
        if (threadId < 0) return TimeSpan.Zero;
        try
        {
            var text = File.ReadAllText($"/proc/self/task/{threadId}/schedstat");
            var end = text.IndexOf(' ');
            return long.TryParse(text.AsSpan(0, end < 0 ? text.Length : end), NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds)
                ? TimeSpan.FromTicks(nanoseconds / 100)
                : TimeSpan.Zero;
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }
}
