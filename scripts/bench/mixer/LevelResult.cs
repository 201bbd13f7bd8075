using System.Diagnostics;

namespace Pbx.Bench.Mixer;

/// <summary>Media-clock counters of a conference level; the relay has no clock and reports zeros.</summary>
internal readonly record struct TickCounters(long Missed, long Late, long Skipped, long OverBudget);

/// <summary>One level of the socket mode: rates are per leg (phone) and per second of the measured window.</summary>
internal sealed record LevelResult(
    string Mode, int Legs, double Seconds, double ProcessCpuPercent, double PhoneCpuPercent, double SentPerLegPerSecond,
    double InPercent, double BackPerLegPerSecond, TickCounters Ticks, double WorstTickMs, double PhoneWorstLatenessMs,
    long PhoneSendErrors, double OthersCpuPercent, string? Failure)
{
    public const double PacketsPerSecond = 50;

    /// <summary>Everything the process used minus the simulated phones' threads: the PBX's share.</summary>
    public double PbxCpuPercent => ProcessCpuPercent - PhoneCpuPercent;
    public double PbxCpuPercentPerLeg => PbxCpuPercent / Legs;

    public bool IsClean => Failure is null && Ticks is { Missed: 0, Skipped: 0, OverBudget: 0 }
        && SentPerLegPerSecond >= 0.95 * PacketsPerSecond && InPercent >= 95 && BackPerLegPerSecond >= 0.95 * PacketsPerSecond;

    public static LevelResult Failed(string mode, int legs, string reason) =>
        new(mode, legs, 0, 0, 0, 0, 0, 0, default, 0, 0, 0, 0, reason);
}

/// <summary>The measured window of a level, after a warm-up that covers JIT compilation, latching and jitter-buffer fill.</summary>
internal static class LevelWindow
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>How long the phone threads may run at most: warm-up, window, and slack for set-up and snapshots.</summary>
    public static TimeSpan PhoneHardStop(int seconds) => WarmUp + TimeSpan.FromSeconds(seconds + 10);

    public static LevelResult Measure(string mode, PhoneFleet phones, int seconds, Func<long> acceptedByPbx,
        Func<TickCounters> ticks, Func<double> worstTickMs, Action resetWorstTick)
    {
        Thread.Sleep(WarmUp);
        resetWorstTick();
        phones.ResetWorstLateness();
        var before = Take(phones, acceptedByPbx, ticks);
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var after = Take(phones, acceptedByPbx, ticks);
        var worstTick = worstTickMs();

        var wall = Stopwatch.GetElapsedTime(before.Wall, after.Wall).TotalSeconds;
        var legs = phones.Count;
        var sent = after.Phones.Sent - before.Phones.Sent;
        var accepted = after.Accepted - before.Accepted;
        return new LevelResult(
            mode, legs, wall,
            100 * (after.ProcessCpu - before.ProcessCpu).TotalSeconds / wall,
            100 * (after.Phones.Cpu - before.Phones.Cpu).TotalSeconds / wall,
            sent / wall / legs,
            sent == 0 ? 0 : 100.0 * accepted / sent,
            (after.Phones.Received - before.Phones.Received) / wall / legs,
            new TickCounters(after.Ticks.Missed - before.Ticks.Missed, after.Ticks.Late - before.Ticks.Late,
                after.Ticks.Skipped - before.Ticks.Skipped, after.Ticks.OverBudget - before.Ticks.OverBudget),
            worstTick, after.Phones.WorstLatenessMs, after.Phones.SendErrors - before.Phones.SendErrors,
            Math.Max(0, 100 * ((after.SystemBusy - before.SystemBusy) - (after.ProcessCpu - before.ProcessCpu)).TotalSeconds / wall), null);
    }

    private static Sample Take(PhoneFleet phones, Func<long> acceptedByPbx, Func<TickCounters> ticks)
    {
        using var process = Process.GetCurrentProcess();
        // Wall and process CPU are read back to back; the slower per-session counters come after.
        var wall = Stopwatch.GetTimestamp();
        var cpu = process.TotalProcessorTime;
        var system = SystemCpu.Busy();
        return new Sample(wall, cpu, system, phones.Snapshot(), acceptedByPbx(), ticks());
    }

    private readonly record struct Sample(long Wall, TimeSpan ProcessCpu, TimeSpan SystemBusy, PhoneTotals Phones, long Accepted, TickCounters Ticks);
}
