namespace Pbx.Telephony.Calls;

/// <summary>
/// Runs one ring step: starts each branch at its offset, stops a branch at its maximum ring time, ends the step at
/// its timeout, at the first answer or (with <see cref="RingStep.EndOnBusy"/>) at the first busy. All timing comes
/// from the <see cref="TimeProvider"/>, so policies built on it are tested on a virtual clock.
/// </summary>
public sealed class RingStepRunner(ILegFactory legs, TimeProvider time)
{
    public async Task<RingResult> RunAsync(RingStep step, CallerIdentity caller, CancellationToken callerGone)
    {
        var started = time.GetTimestamp();
        var pending = new Queue<RingBranch>(step.Branches.OrderBy(b => b.StartDelay));
        var ringing = new List<Ringing>();
        var failures = new List<LegFailure>();

        while (true)
        {
            if (TakeFinished(ringing, failures) is { } answered)
            {
                CancelAll(ringing);
                return new RingResult.Answered(answered.Leg, answered.Branch);
            }
            if (step.EndOnBusy && failures.Contains(LegFailure.Busy))
            {
                CancelAll(ringing);
                return new RingResult.NotAnswered(LegFailure.Busy);
            }
            if (callerGone.IsCancellationRequested)
            {
                CancelAll(ringing);
                return new RingResult.CallerGone();
            }

            var now = time.GetElapsedTime(started);
            if (step.Timeout is { } timeout && now >= timeout)
            {
                CancelAll(ringing);
                return new RingResult.NotAnswered(LegFailure.NoAnswer);
            }
            var startedAny = false;
            while (pending.TryPeek(out var due) && due.StartDelay <= now)
            {
                pending.Dequeue();
                var leg = legs.Start(new LegRequest(due.Target, caller, due.ConfirmByKeypress));
                ringing.Add(new Ringing(due, leg, due.MaxRingTime is { } max ? now + max : null));
                startedAny = true;
            }
            // A leg may have finished the moment it started (nothing to ring): look again before waiting.
            if (startedAny) continue;
            foreach (var rangOut in ringing.Where(r => r.Deadline <= now).ToList())
            {
                rangOut.Leg.Cancel();
                ringing.Remove(rangOut);
                failures.Add(LegFailure.NoAnswer);
            }
            if (ringing.Count == 0 && pending.Count == 0)
                return new RingResult.NotAnswered(MostTelling(failures));

            await WaitForChangeAsync(ringing, NextAlarm(step, pending, ringing) - now, callerGone);
        }
    }

    private async Task WaitForChangeAsync(List<Ringing> ringing, TimeSpan? alarm, CancellationToken callerGone)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(callerGone);
        var wake = alarm is { } delay ? Task.Delay(delay, time, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        await Task.WhenAny(ringing.Select(r => (Task)r.Leg.Outcome).Append(wake));
        await stop.CancelAsync();
    }

    private static TimeSpan? NextAlarm(RingStep step, Queue<RingBranch> pending, List<Ringing> ringing)
    {
        TimeSpan? next = step.Timeout;
        if (pending.TryPeek(out var due)) next = Earliest(next, due.StartDelay);
        foreach (var r in ringing) next = Earliest(next, r.Deadline);
        return next;
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static Ringing? TakeFinished(List<Ringing> ringing, List<LegFailure> failures)
    {
        foreach (var r in ringing.Where(r => r.Leg.Outcome.IsCompleted).ToList())
        {
            ringing.Remove(r);
            switch (r.Leg.Outcome.Result)
            {
                case LegOutcome.Answered:
                    return r;
                case LegOutcome.NotAnswered { Reason: var reason } when reason != LegFailure.Cancelled:
                    failures.Add(reason);
                    break;
            }
        }
        return null;
    }

    private static void CancelAll(List<Ringing> ringing)
    {
        foreach (var r in ringing) r.Leg.Cancel();
        ringing.Clear();
    }

    /// <summary>No answer says more than busy, busy more than unavailable: it is what redirections key on.</summary>
    private static LegFailure MostTelling(List<LegFailure> failures) =>
        failures.Contains(LegFailure.NoAnswer) ? LegFailure.NoAnswer
        : failures.Contains(LegFailure.Busy) ? LegFailure.Busy
        : failures.Contains(LegFailure.Failed) ? LegFailure.Failed
        : LegFailure.Unavailable;

    private sealed record Ringing(RingBranch Branch, IOutboundLeg Leg, TimeSpan? Deadline);
}
