using System.Diagnostics;
using Pbx.Media.Timing;

namespace Pbx.Bench.Mixer;

/// <summary>
/// Registered on the ticker after the mixer, so it runs right when the mixer's tick has finished: a tick misses
/// its deadline when it finishes after the next one was due (lateness + work > 20 ms).
/// </summary>
internal sealed class DeadlineProbe(MediaTicker ticker) : IMediaTickHandler
{
    private long _tickStart;
    public long Ticks;
    public long Missed;
    public double WorstMilliseconds;

    /// <summary>Stamped by a handler registered before the mixer.</summary>
    public IMediaTickHandler StartStamp => new Stamp(this);

    /// <summary>The first half second includes JIT compilation of the real-time path; it is not counted.</summary>
    public const int WarmupTicks = 25;

    public void OnTick(in MediaTick tick)
    {
        if (tick.Number < WarmupTicks) return;
        var work = Stopwatch.GetElapsedTime(_tickStart);
        var total = (tick.Lateness + work).TotalMilliseconds;
        if (total > WorstMilliseconds) WorstMilliseconds = total;
        if (total > MediaTicker.Period.TotalMilliseconds) Missed++;
        Ticks++;
    }

    public long SkippedByTicker => ticker.SkippedTicks;

    private sealed class Stamp(DeadlineProbe probe) : IMediaTickHandler
    {
        public void OnTick(in MediaTick tick) => probe._tickStart = Stopwatch.GetTimestamp();
    }
}
