using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>Serial ringing: the steps in order, each after the previous one went unanswered, then an optional last word.</summary>
/// <param name="WhenExhausted">What happens after the last step (e.g. voicemail); null hands over to the failure stage.</param>
public sealed class StepSequencePlan(IReadOnlyList<RingStep> steps, RoutingDecision? whenExhausted = null) : IRingPlan
{
    private int _next;

    public ValueTask<RoutingDecision?> NextAsync(RoutingContext context, LegFailure? previous) =>
        ValueTask.FromResult(_next < steps.Count
            ? new RoutingDecision.RingNext(steps[_next++])
            : whenExhausted);
}
