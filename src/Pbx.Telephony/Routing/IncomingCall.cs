using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>Who a call is being routed to: the owner of the dialled number.</summary>
public abstract record RoutingParty
{
    private RoutingParty() { }

    public sealed record User(string LoginId) : RoutingParty;

    public sealed record Group(string Name) : RoutingParty;
}

/// <summary>A call arriving at the PBX for one of its numbers.</summary>
/// <param name="CallerLoginId">Set when the caller is a user of this PBX; redirection exceptions may name them.</param>
public sealed record IncomingCall(CallerIdentity Caller, string CalledNumber, string? CallerLoginId = null);

/// <summary>Where a redirection sends a call.</summary>
public abstract record RedirectDestination
{
    private RedirectDestination() { }

    /// <summary>An internal number (routed again inside the PBX) or an E.164 number (sent out through a trunk).</summary>
    public sealed record Number(string Value) : RedirectDestination;

    public sealed record Mailbox(string MailboxId) : RedirectDestination;
}
