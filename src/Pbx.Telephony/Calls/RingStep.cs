namespace Pbx.Telephony.Calls;

/// <summary>One target of a ring step, started <see cref="StartDelay"/> after the step and rung for at most <see cref="MaxRingTime"/>.</summary>
public sealed record RingBranch(CallTarget Target, TimeSpan StartDelay = default, TimeSpan? MaxRingTime = null, bool ConfirmByKeypress = false);

/// <summary>
/// Parallel ringing with per-branch start offsets: the building block of every ring plan. Serial ringing
/// (hunting, auto-pilot) is a sequence of steps, each run after the previous one failed.
/// </summary>
/// <param name="Timeout">When the whole step gives up; null means when every branch has ended.</param>
/// <param name="EndOnBusy">A busy or declining branch ends the step at once, as a busy redirection expects.</param>
public sealed record RingStep(string Label, IReadOnlyList<RingBranch> Branches, TimeSpan? Timeout = null, bool EndOnBusy = false);

/// <summary>How a ring step ended.</summary>
public abstract record RingResult
{
    private RingResult() { }

    public sealed record Answered(IOutboundLeg Leg, RingBranch Branch) : RingResult;

    /// <summary>No branch answered: <see cref="Reason"/> is the most telling failure (no answer, then busy, then unavailable).</summary>
    public sealed record NotAnswered(LegFailure Reason) : RingResult;

    /// <summary>The caller hung up while the step was ringing.</summary>
    public sealed record CallerGone : RingResult;
}
