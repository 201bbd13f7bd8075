using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>What a module decided. Modules return null to let the next module decide.</summary>
public abstract record RoutingDecision
{
    private RoutingDecision() { }

    /// <summary>The caller gets busy.</summary>
    public sealed record RejectBusy(string Reason) : RoutingDecision;

    /// <summary>Route the call on to a number or a mailbox (counts as one redirect hop).</summary>
    public sealed record Redirect(RedirectDestination Destination, string Reason) : RoutingDecision;

    /// <summary>Ring the party with this plan (offer stage only).</summary>
    public sealed record Ring(IRingPlan Plan, string Description) : RoutingDecision;

    /// <summary>Ring one step next (returned by ring plans).</summary>
    public sealed record RingNext(RingStep Step) : RoutingDecision;
}

/// <summary>
/// The steps a party rings, produced one at a time so each step can look at presence when its turn comes
/// (hunting skips members who became busy). Null from <see cref="NextAsync"/> means the plan is exhausted.
/// </summary>
public interface IRingPlan
{
    /// <param name="previous">Why the previous step was not answered; null before the first step.</param>
    /// <returns><see cref="RoutingDecision.RingNext"/>, or a final <see cref="RoutingDecision.RejectBusy"/> or
    /// <see cref="RoutingDecision.Redirect"/> (e.g. voicemail), or null when exhausted.</returns>
    ValueTask<RoutingDecision?> NextAsync(RoutingContext context, LegFailure? previous);
}

/// <summary>A step of the routing pipeline; it takes part in each stage whose interface it implements.</summary>
public interface IRoutingModule
{
    /// <summary>Names the module in the call trace.</summary>
    string Name { get; }
}

/// <summary>A module that looks at a call before anything rings: reject, redirect, or choose a ring plan.</summary>
public interface IOfferStage : IRoutingModule
{
    ValueTask<RoutingDecision?> OfferAsync(RoutingContext context);
}

/// <summary>Why ringing ended without an answer, as the failure stage sees it.</summary>
/// <param name="RingTimeUsedUp">The party's ring time limit (e.g. the timeout redirection's seconds) ran out.</param>
public sealed record RingFailure(LegFailure Reason, bool RingTimeUsedUp);

/// <summary>
/// A module that decides what happens when the ring plan ends unanswered (it is exhausted or its time is up):
/// the Kamailio failure route. Returning null leaves the default: busy for busy, a failure otherwise.
/// </summary>
public interface IFailureStage : IRoutingModule
{
    ValueTask<RoutingDecision?> FailureAsync(RoutingContext context, RingFailure failure);
}

/// <summary>
/// Steps that ring one group member on behalf of a group (call hunting). A module that rings users in its own way
/// (auto-pilot) provides them; without one, the member's devices ring for the hunt time.
/// </summary>
public interface IMemberDelivery : IRoutingModule
{
    /// <returns>The steps, none ending in voicemail (the call returns to the group), or null to use the default.</returns>
    ValueTask<IReadOnlyList<RingStep>?> MemberStepsAsync(RoutingContext context, string loginId, TimeSpan huntTime);
}
