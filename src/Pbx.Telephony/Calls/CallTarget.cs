using Pbx.Telephony.Accounts;

namespace Pbx.Telephony.Calls;

/// <summary>Where an outbound leg goes. The call layer resolves it to registrations, a trunk or a server service.</summary>
public abstract record CallTarget
{
    private CallTarget() { }

    /// <summary>Every reachable registration of the user, forked in parallel inside one leg.</summary>
    public sealed record AllDevicesOf(string LoginId) : CallTarget;

    /// <summary>The user's registrations of one kind, e.g. only the desk phone or only the mobile client.</summary>
    public sealed record DevicesOfKind(string LoginId, DeviceKind Kind) : CallTarget;

    /// <summary>A number in the public network, reached through a trunk by the dial rules.</summary>
    public sealed record ExternalNumber(string E164) : CallTarget;

    /// <summary>The server itself as the far end: a mailbox, a conference room, a queue, a prompt.</summary>
    public sealed record ServerService(string Service, string? Argument = null) : CallTarget;
}

/// <summary>The identity a leg presents to the party it rings.</summary>
public sealed record CallerIdentity(string Number, string? DisplayName);
