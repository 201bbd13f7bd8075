using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Tests;

/// <summary>Legs that do what a test scripts them to: answer, go busy, be unreachable, or ring until cancelled.</summary>
public sealed class FakeLegs(VirtualClock clock) : ILegFactory
{
    private readonly Dictionary<CallTarget, Func<FakeLeg, Task>> _scripts = [];
    public List<FakeLeg> Started { get; } = [];

    /// <summary>How the target behaves; a target without a script rings until cancelled.</summary>
    public void Script(CallTarget target, Func<FakeLeg, Task> script) => _scripts[target] = script;

    public void AnswersAfter(CallTarget target, TimeSpan after) =>
        Script(target, async leg => { await Task.Delay(after, clock); leg.Complete(new LegOutcome.Answered()); });

    public void FailsAfter(CallTarget target, TimeSpan after, LegFailure reason) =>
        Script(target, async leg => { await Task.Delay(after, clock); leg.Complete(new LegOutcome.NotAnswered(reason)); });

    public void Unreachable(CallTarget target) =>
        Script(target, leg => { leg.Complete(new LegOutcome.NotAnswered(LegFailure.Unavailable, 480)); return Task.CompletedTask; });

    public IOutboundLeg Start(LegRequest request)
    {
        var leg = new FakeLeg(request, clock.Elapsed);
        Started.Add(leg);
        if (_scripts.TryGetValue(request.Target, out var script)) _ = script(leg);
        return leg;
    }

    public FakeLeg Leg(CallTarget target) => Started.Single(l => l.Request.Target == target);
}

public sealed class FakeLeg(LegRequest request, TimeSpan startedAt) : IOutboundLeg
{
    private readonly TaskCompletionSource<LegOutcome> _outcome = new();

    public LegRequest Request { get; } = request;
    public TimeSpan StartedAt { get; } = startedAt;
    public bool WasCancelled { get; private set; }
    public Task<LegOutcome> Outcome => _outcome.Task;

    public void Complete(LegOutcome outcome) => _outcome.TrySetResult(outcome);

    public void Cancel()
    {
        if (_outcome.Task.IsCompleted) return;
        WasCancelled = true;
        _outcome.TrySetResult(new LegOutcome.NotAnswered(LegFailure.Cancelled));
    }
}
