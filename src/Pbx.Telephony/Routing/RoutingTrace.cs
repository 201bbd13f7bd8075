using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>One thing that happened while routing, <see cref="At"/> after routing began.</summary>
public abstract record RoutingTraceEntry(TimeSpan At)
{
    /// <summary>A module decided something (rejected, redirected, chose a ring plan).</summary>
    public sealed record Decision(TimeSpan At, RoutingParty Party, string Module, string What) : RoutingTraceEntry(At);

    public sealed record LegStarted(TimeSpan At, CallTarget Target, bool ConfirmByKeypress) : RoutingTraceEntry(At);

    public sealed record LegAnswered(TimeSpan At, CallTarget Target) : RoutingTraceEntry(At);

    /// <summary>The leg ended unanswered; <see cref="LegFailure.Cancelled"/> means routing stopped it.</summary>
    public sealed record LegEnded(TimeSpan At, CallTarget Target, LegFailure Reason) : RoutingTraceEntry(At);
}

/// <summary>
/// Collects the trace of one call. Legs report from timer and I/O threads, so entries are added under a lock.
/// </summary>
internal sealed class RoutingTrace(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private readonly Lock _lock = new();
    private readonly List<RoutingTraceEntry> _entries = [];

    public TimeSpan Now => time.GetElapsedTime(_started);

    public void Add(Func<TimeSpan, RoutingTraceEntry> entry)
    {
        lock (_lock) _entries.Add(entry(Now));
    }

    public IReadOnlyList<RoutingTraceEntry> Snapshot()
    {
        lock (_lock) return [.. _entries];
    }
}

/// <summary>Starts legs through the real factory and records when each one started and how it ended.</summary>
internal sealed class TracingLegFactory(ILegFactory inner, RoutingTrace trace) : ILegFactory
{
    public IOutboundLeg Start(LegRequest request)
    {
        trace.Add(at => new RoutingTraceEntry.LegStarted(at, request.Target, request.ConfirmByKeypress));
        var leg = inner.Start(request);
        _ = leg.Outcome.ContinueWith(
            done => trace.Add(at => done.Result is LegOutcome.NotAnswered failed
                ? new RoutingTraceEntry.LegEnded(at, request.Target, failed.Reason)
                : new RoutingTraceEntry.LegAnswered(at, request.Target)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        return leg;
    }
}
