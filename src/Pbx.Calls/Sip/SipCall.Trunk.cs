using Microsoft.Extensions.Logging;
using Pbx.Calls.Trunks;
using Pbx.Sip.Transactions;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Journal;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Sip;

/// <summary>Calls that cross a trunk: a provider calling one of our DIDs, or a user dialling a number outside.</summary>
internal sealed partial class SipCall
{
    /// <summary>Set when the caller is a provider: no PBX user places the call, so no caller activity and no caller journal row.</summary>
    private readonly InboundTrunkCall? _fromTrunk;

    public SipCall(B2buaService b2bua, ServerTransaction invite, InboundTrunkCall trunk) : this(b2bua, invite, $"trunk:{trunk.Trunk}")
    {
        _fromTrunk = trunk;
        _caller = trunk.Caller;
    }

    /// <summary>
    /// A number that belongs to nobody here but matches a trunk dial rule goes out through that trunk instead of
    /// getting 404, and so does a redirection to an E.164 number (presenting the original caller). True when the call
    /// was taken over; the outcome comes back through <see cref="OnDialOutDecided"/>. Numbers dialled by a provider
    /// are never sent back out (toll fraud); a user's own forwarding of a provider's call is.
    /// </summary>
    private bool TryDialOut(RoutingOutcome outcome)
    {
        var dialOut = outcome switch
        {
            RoutingOutcome.Failed { Reason: RoutingFailure.UnknownNumber } when _fromTrunk is null => B2bua.Trunks?.Route(_called),
            RoutingOutcome.Redirected r when B2bua.Trunks?.ForE164(r.E164) is { } trunk => new DialOut(trunk, r.E164),
            _ => null,
        };
        if (dialOut is null) return false;
        _ = DialOutAsync(dialOut, (outcome as RoutingOutcome.Redirected)?.PresentedCaller);
        return true;
    }

    /// <param name="redirectedFrom">The caller to present when routing redirected the call; null for a number the caller dialled.</param>
    private async Task DialOutAsync(DialOut dialOut, CallerIdentity? redirectedFrom)
    {
        SipOutboundLeg? leg = null;
        LegOutcome outcome;
        try
        {
            // Barring is about what a user dials; a redirection was already allowed by the callee's own settings.
            if (redirectedFrom is null
                && await B2bua.Routing(this).AuthorizeOutgoingAsync(new OutgoingCall(_callerLogin, _called, _barringPin), _routingStop.Token) == BarringVerdict.Barred)
            {
                Queue.Post(() => RejectDialOut(403, "Forbidden - Call Barred", $"outgoing calls of {_callerLogin} are barred"));
                return;
            }
            DialingOut(B2bua.Log, Id, _called, dialOut.Trunk.Name, dialOut.E164);
            leg = (SipOutboundLeg)Start(new LegRequest(new CallTarget.ExternalNumber(dialOut.E164), redirectedFrom ?? _caller));
            // Ring timeout and caller CANCEL both stop the routing token; the trunk leg follows it.
            using var stop = _routingStop.Token.Register(leg.Cancel);
            outcome = await leg.Outcome;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (ex is not OperationCanceledException) RoutingFailed(B2bua.Log, Id, ex);
            outcome = new LegOutcome.NotAnswered(LegFailure.Cancelled);
        }
        Queue.Post(() => OnDialOutDecided(leg, outcome, dialOut));
    }

    private void OnDialOutDecided(SipOutboundLeg? leg, LegOutcome outcome, DialOut dialOut)
    {
        if (outcome is LegOutcome.Answered && leg is not null)
        {
            if (_phase != CallPhase.Routing || _callerCancelled)
            {
                leg.HangUp();
                Finish("caller hung up while the callee answered", answered: false);
                return;
            }
            Bridge(leg);
            return;
        }
        if (_routingStop.IsCancellationRequested && !_callerCancelled)
        {
            RejectDialOut(480, "Temporarily Unavailable - No Answer", "no answer within the ring time", CallResult.Missed);
            return;
        }
        var provider = outcome is LegOutcome.NotAnswered { SipStatus: > 0 } failed ? failed.SipStatus : 503;
        var cause = $"trunk {dialOut.Trunk.Name}: {provider} {leg?.FailureReason}".TrimEnd();
        // A provider's 5xx is not passed on: to a phone, 503 would mean this PBX is down and should be failed over.
        var (status, reason, result) = provider switch
        {
            486 or 600 or 603 => (486, "Busy Here", CallResult.Busy),
            404 or 410 or 484 or 604 => (404, "Not Found", CallResult.Failed),
            _ => (480, "Temporarily Unavailable", CallResult.Failed),
        };
        RejectDialOut(status, reason, cause, result);
    }

    private void RejectDialOut(int status, string reason, string cause, CallResult result = CallResult.Failed)
    {
        if (_phase != CallPhase.Routing) return;
        if (_callerCancelled)
        {
            _callerResult = CallResult.Missed;
            Finish("cancelled by caller", answered: false);
            return;
        }
        Reject(status, reason, cause, result);
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Call {CallId}: {Dialled} goes out through trunk {Trunk} as {E164}")]
    private static partial void DialingOut(ILogger logger, string callId, string dialled, string trunk, string e164);
}
