using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>How routing of one call ended. The B2BUA bridges, rejects or forwards accordingly.</summary>
public abstract record RoutingOutcome
{
    private RoutingOutcome() { }

    /// <summary>A leg answered; the B2BUA bridges the caller to <see cref="Leg"/>.</summary>
    public sealed record Answered(RoutingParty Party, RingBranch Branch, IOutboundLeg Leg) : RoutingOutcome;

    /// <summary>The caller gets busy (486).</summary>
    public sealed record RejectedBusy(RoutingParty Party, string Reason) : RoutingOutcome;

    /// <summary>
    /// Forward to a number outside the PBX: the B2BUA sends it out through the trunk presenting
    /// <see cref="PresentedCaller"/>, the original caller, so the far end sees who really calls.
    /// </summary>
    public sealed record Redirected(string E164, CallerIdentity PresentedCaller) : RoutingOutcome;

    public sealed record ToVoicemail(string MailboxId) : RoutingOutcome;

    public sealed record CallerGone : RoutingOutcome;

    public sealed record Failed(RoutingFailure Reason, string Detail) : RoutingOutcome;
}

public enum RoutingFailure
{
    /// <summary>The dialled number belongs to nobody.</summary>
    UnknownNumber,
    /// <summary>Nobody answered and nothing said where to go next.</summary>
    NoAnswer,
    /// <summary>Nothing could ring: no device registered and no fallback configured.</summary>
    Unavailable,
    /// <summary>Redirections chained longer than <see cref="RoutingOptions.MaxRedirectHops"/>, e.g. A→B→A.</summary>
    RedirectLoop,
    /// <summary>A redirection names a destination that is neither ours nor a valid E.164 number.</summary>
    InvalidDestination,
}

/// <summary>The routing result plus what happened on the way, for the call journal.</summary>
public sealed record RoutedCall(RoutingOutcome Outcome, IReadOnlyList<RoutingTraceEntry> Trace);
