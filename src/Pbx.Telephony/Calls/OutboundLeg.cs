namespace Pbx.Telephony.Calls;

/// <summary>Why a leg ended without being answered, in the terms routing decisions are made in.</summary>
public enum LegFailure
{
    /// <summary>Every device was in use (486/600) or the user declined (603 counts as busy for redirections).</summary>
    Busy,
    /// <summary>It rang for its maximum ring time.</summary>
    NoAnswer,
    /// <summary>Nothing to ring: no registration, device unreachable (408/480), trunk down (503).</summary>
    Unavailable,
    /// <summary>Any other final failure.</summary>
    Failed,
    /// <summary>We stopped it (another branch answered, the step ended, the caller left).</summary>
    Cancelled,
}

/// <summary>How a leg's setup ended.</summary>
public abstract record LegOutcome
{
    private LegOutcome() { }

    public sealed record Answered : LegOutcome;

    /// <param name="SipStatus">The final SIP status, when there was one (0 for local decisions).</param>
    public sealed record NotAnswered(LegFailure Reason, int SipStatus = 0) : LegOutcome;
}

/// <summary>What a leg needs to know beyond its target. Ring times are not here: the ring step runner owns all timing.</summary>
/// <param name="ConfirmByKeypress">The callee hears a prompt and the leg counts as answered only after a digit.</param>
public sealed record LegRequest(CallTarget Target, CallerIdentity Caller, bool ConfirmByKeypress = false);

/// <summary>
/// A leg being set up. It reports its outcome once. <see cref="Cancel"/> before an answer makes the outcome
/// <see cref="LegFailure.Cancelled"/>; a leg whose answer crosses a cancel is hung up by its implementation.
/// </summary>
public interface IOutboundLeg
{
    LegRequest Request { get; }

    Task<LegOutcome> Outcome { get; }

    void Cancel();
}

/// <summary>
/// Starts outbound legs. Implemented by the B2BUA (SIP legs, trunk legs, server media legs) and by fakes in tests:
/// policies never see SIP.
/// </summary>
public interface ILegFactory
{
    /// <summary>Returns at once; a target with nothing reachable completes with <see cref="LegFailure.Unavailable"/>.</summary>
    IOutboundLeg Start(LegRequest request);
}
