using System.Net.Sockets;
using Pbx.Calls.Trunks;
using Pbx.Telephony.Calls;

namespace Pbx.Calls.Sip;

/// <summary>A leg to a number outside: one fork to the provider of the trunk the dial rules choose.</summary>
internal sealed partial class SipOutboundLeg
{
    /// <summary>The trunk this leg went out through, null for legs to PBX users.</summary>
    public string? Trunk { get; private set; }

    /// <summary>The reason phrase of the provider's (or device's) final failure, for the journal.</summary>
    public string? FailureReason => _forks.Select(f => f.FinalReason).FirstOrDefault(r => r.Length > 0);

    private async Task BeginTrunkAsync(TrunkService trunks, string e164, string offer)
    {
        ForkTarget? target = null;
        try
        {
            if (trunks.ForE164(e164) is { } trunk && trunks.Peer(trunk) is { } peer)
            {
                Trunk = trunk.Name;
                var flow = await peer.ResolveAsync(CancellationToken.None);
                var fromUser = await PresentedNumberAsync(trunk);
                var port = peer.Domain == trunk.Host && trunk.Port != 5060 ? $":{trunk.Port}" : "";
                var user = SipHeaderValues.UserPart(e164);
                target = new ForkTarget($"sip:{user}@{peer.Domain}{port}", flow, [], $"sip:{user}@{peer.Domain}", fromUser, peer.Domain,
                    new TrunkCredentials(trunk.Username, trunk.Password, trunk.Realm)) { Trunk = trunk.Name };
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Mostly DNS: the provider cannot be reached, which the caller hears like a provider's 503.
            target = null;
            TrunkService.CallFailed(Call.B2bua.Log, Trunk ?? "?", 503, ex is SocketException ? $"host not resolved: {ex.Message}" : ex.Message);
        }
        Call.Queue.Post(() => SendToTrunk(target, offer));
    }

    private void SendToTrunk(ForkTarget? target, string offer)
    {
        if (_decided) return;
        if (target is null)
        {
            Decide(new LegOutcome.NotAnswered(LegFailure.Unavailable, 503));
            return;
        }
        var fork = new OutboundFork(this, target);
        _forks.Add(fork);
        fork.Send(offer);
        if (fork.State == ForkState.Failed) Decide(new LegOutcome.NotAnswered(LegFailure.Unavailable, 503));
    }

    /// <summary>
    /// The caller ID towards the provider: an E.164 caller as is (a forwarded outside call), else the external number
    /// of the user who owns the caller's extension, else the account name, which providers map to the main number.
    /// </summary>
    private async Task<string> PresentedNumberAsync(TrunkSettings trunk)
    {
        var caller = Request.Caller.Number;
        if (DialPlan.IsE164(caller)) return caller;
        var directory = Call.B2bua.Directory;
        if (await directory.FindUserOfNumberAsync(caller, CancellationToken.None) is { } login
            && await directory.GetExternalNumberAsync(login, CancellationToken.None) is { } external)
            return external;
        return trunk.Username;
    }
}
