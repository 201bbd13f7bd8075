using System.Diagnostics;
using System.Net;
using Pbx.Media.Ports;

namespace Pbx.Bench.RtpRelay;

internal sealed record BenchResult(
    TimeSpan SendingTime, TimeSpan Cpu, TimeSpan Wall, long SentAToB, long SentBToA, long ReceivedAtB, long ReceivedAtA,
    long Relayed, long DroppedByRelay, LatencyHistogram Latency);

/// <summary>One timed phase: set up the calls, pace packets, drain, collect counters, tear down.</summary>
internal static class BenchRun
{
    public static async Task<BenchResult?> RunAsync(BenchSettings settings, bool viaRelay, int seconds)
    {
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = settings.MinPort, MaxPort = settings.MaxPort, BindAddress = IPAddress.Loopback });
        var latency = new LatencyHistogram();
        var calls = new List<BenchCall>(settings.Calls);
        for (var i = 0; i < settings.Calls; i++)
        {
            (RtpPortLease, RtpPortLease)? legs = null;
            if (viaRelay)
            {
                var legA = allocator.Allocate();
                var legB = allocator.Allocate();
                if (!legA.IsSuccess || !legB.IsSuccess)
                {
                    Console.Error.WriteLine($"port allocation failed at call {i}: {legA.Reason ?? legB.Reason}");
                    legA.Lease?.Dispose();
                    legB.Lease?.Dispose();
                    foreach (var call in calls) await call.DisposeAsync();
                    return null;
                }
                legs = (legA.Lease!, legB.Lease!);
            }
            calls.Add(new BenchCall(i, legs, settings.PayloadBytes, latency));
        }
        foreach (var call in calls) call.Start();

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await PaceAsync(calls, settings.PtimeMs, seconds, wall);
        var sendingTime = wall.Elapsed;
        await Task.Delay(500); // let in-flight packets land before counting loss
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var elapsed = wall.Elapsed;

        long sentAToB = 0, sentBToA = 0, receivedAtB = 0, receivedAtA = 0, relayed = 0, dropped = 0;
        foreach (var call in calls)
        {
            await call.StopReceiversAsync();
            sentAToB += call.SentAToB;
            sentBToA += call.SentBToA;
            receivedAtB += Interlocked.Read(ref call.ReceivedAtB);
            receivedAtA += Interlocked.Read(ref call.ReceivedAtA);
            if (call.Session is { } session)
            {
                var s = session.GetStatistics();
                relayed += s.RtpAToB.PacketsRelayed + s.RtpBToA.PacketsRelayed;
                dropped += s.RtpAToB.DroppedInvalid + s.RtpAToB.DroppedUnexpectedSource + s.RtpAToB.DroppedNoDestination
                           + s.RtpBToA.DroppedInvalid + s.RtpBToA.DroppedUnexpectedSource + s.RtpBToA.DroppedNoDestination;
            }
            await call.DisposeAsync();
        }
        return new BenchResult(sendingTime, cpu, elapsed, sentAToB, sentBToA, receivedAtB, receivedAtA, relayed, dropped, latency);
    }

    /// <summary>
    /// Real phones are not synchronised, so call i sends in millisecond slot (i mod ptime) of each interval. Slots
    /// are driven by the stopwatch, not by counting timer ticks, so a late wake-up catches up and the rate stays exact.
    /// </summary>
    private static async Task PaceAsync(List<BenchCall> calls, int ptimeMs, int seconds, Stopwatch wall)
    {
        var totalSlots = (long)seconds * 1000;
        var timestampStep = (uint)(8 * ptimeMs);
        long nextSlot = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (nextSlot < totalSlots && await timer.WaitForNextTickAsync())
        {
            var dueSlots = Math.Min(totalSlots, (long)wall.Elapsed.TotalMilliseconds + 1);
            for (; nextSlot < dueSlots; nextSlot++)
            {
                var slotInInterval = (int)(nextSlot % ptimeMs);
                for (var i = slotInInterval; i < calls.Count; i += ptimeMs) calls[i].SendTick(timestampStep);
            }
        }
    }
}
