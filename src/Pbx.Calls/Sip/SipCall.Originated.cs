using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Media.Endpoint;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Media.Tones;
using Pbx.Sip.Dialogs;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Journal;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Sip;

/// <summary>
/// Calls whose first party the PBX connects before it knows the second. Callback: the PBX rings the user first
/// (cell or a chosen device), then the destination, presenting the user's desk number. Call-through: the user
/// calls the call-through number from the cell, the PBX answers, takes the destination as DTMF digits ending with #,
/// then rings it. Either way side A is up alone first and side B is added like a transfer target.
/// </summary>
internal sealed partial class SipCall
{
    private const int MaxDialledDigits = 24;
    private StringBuilder? _collecting;
    private ITimer? _collectTimer;

    /// <summary>Callback: rings <paramref name="first"/> for <paramref name="loginId"/>, then <paramref name="destination"/>.</summary>
    public static SipCall StartCallback(B2buaService b2bua, string loginId, CallTarget first, string destination)
    {
        var call = new SipCall(b2bua, loginId, "callback-" + Pbx.Sip.Messages.SipIds.NewCallId());
        call._called = destination;
        b2bua.Track(call);
        call.Queue.Post(() => call.BeginCallback(first));
        return call;
    }

    private void BeginCallback(CallTarget first)
    {
        _media = Media.CallMedia.TryCreate(B2bua.Relays, Id, B2bua.MediaAddress, B2bua.Codecs, B2bua.Ticker, B2bua.MusicOnHold, out var noPorts);
        if (_media is null)
        {
            _callerResult = CallResult.Failed;
            Finish($"callback: {noPorts ?? "no media ports"}", answered: false);
            return;
        }
        _media.Relay.DigitReceived += (side, digit) => Queue.Post(() => OnRelayDigit(side, digit));
        _ = RingFirstPartyAsync(first, _media.OfferFirst(RelayLeg.A));
    }

    private async Task RingFirstPartyAsync(CallTarget first, SessionDescription offer)
    {
        try
        {
            _caller = await B2bua.Directory.GetIdentityAsync(_callerLogin, CancellationToken.None) ?? _caller;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
        }
        // The user's own phone shows the destination it is about to be connected to.
        var (leg, outcome) = await RingAloneAsync(first, new CallerIdentity(_called, "Callback"), offer);
        Queue.Post(() => OnFirstPartyDecided(leg, offer, outcome));
    }

    /// <summary>Rings <paramref name="target"/> with our own <paramref name="offer"/>, outside any routing (the PBX places the call).</summary>
    private async Task<(SipOutboundLeg? Leg, LegOutcome Outcome)> RingAloneAsync(CallTarget target, CallerIdentity shown, SessionDescription offer)
    {
        SipOutboundLeg? leg = null;
        try
        {
            leg = new SipOutboundLeg(this, new LegRequest(target, shown), SdpSerializer.Serialize(offer), ringCallerDevice: true);
            return (leg, await RingOnItsOwnAsync(leg));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            return (leg, new LegOutcome.NotAnswered(LegFailure.Failed));
        }
    }

    private void OnFirstPartyDecided(SipOutboundLeg? leg, SessionDescription offer, LegOutcome outcome)
    {
        if (_phase != CallPhase.Routing) return;
        if (outcome is not LegOutcome.Answered || leg?.Answered is not { AnswerSdp: { } sdp, Dialog: { } dialog } fork
            || !_media!.CompleteFirst(RelayLeg.A, offer, sdp))
        {
            if (outcome is LegOutcome.Answered) leg?.HangUp();
            _callerResult = CallResult.Missed;
            Finish("callback: the user did not answer", answered: false);
            return;
        }
        _sides[(int)RelayLeg.A] = new CallSide(dialog, fork, _callerLogin);
        _phase = CallPhase.Connected;
        _answeredAt = B2bua.Time.GetUtcNow();
        StartTimers();
        CallbackFirstAnswered(B2bua.Log, Id, _callerLogin, _called);
        RingSecondParty(_called);
    }

    /// <summary>
    /// Call-through, on the caller's INVITE to the call-through number: answers it, plays the prompt and collects the
    /// destination (digits, then #) before anything rings.
    /// </summary>
    private void BeginCallThrough(SessionDescription offer)
    {
        if (!AnswerCallerOurselves(offer)) return;
        _collecting = new StringBuilder();
        _media!.PlayTo(RelayLeg.A, B2bua.Prompts.Play("enter-number", _languages[(int)RelayLeg.A], loop: true));
        _collectTimer = B2bua.Time.CreateTimer(static s => ((SipCall)s!).Queue.Post(((SipCall)s!).OnCollectTimeout), this,
            B2bua.Options.DigitCollection, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The PBX answers the caller's INVITE itself (call-through, conference dial-in): 200 with our relay port, the
    /// caller's dialog as side A, connected. False when it could not (the caller got the error response).
    /// </summary>
    private bool AnswerCallerOurselves(SessionDescription offer)
    {
        var answer = _media!.AnswerFirst(RelayLeg.A, offer);
        if (answer is null)
        {
            Reject(488, "Not Acceptable Here - No Common Codec", "no common codec");
            return false;
        }
        var bytes = BuildInboundResponse(200, "OK", SdpSerializer.Serialize(answer));
        var dialog = SipDialog.TryCreateAsUas(Invite, Encoding.ASCII.GetBytes(InboundTag), CallerFlow, DialogState.Confirmed, out _);
        if (dialog is null || !B2bua.Dialogs.TryAdd(dialog, this))
        {
            Reject(500, "Server Internal Error - Dialog Not Created", "the caller's dialog could not be created");
            return false;
        }
        InviteTx.SendResponse(bytes);
        B2bua.InviteAnswered(InviteTx);
        var inbound = new SipDialogLeg(B2bua, dialog, CallerFlow);
        if (!CallerFlow.IsReliable)
            inbound.Unacknowledged = new SuccessRetransmitter(B2bua.Layer, bytes, InviteTx.ResponseDestination, Invite.CSeq.Number,
                B2bua.Time, () => Queue.Post(() => End("caller never acknowledged the answer", byeFrom: null)));
        _sides[(int)RelayLeg.A] = new CallSide(inbound, this, _fromTrunk is null ? _callerLogin : null);
        _phase = CallPhase.Connected;
        _answeredAt = B2bua.Time.GetUtcNow();
        StartTimers();
        return true;
    }

    /// <summary>A digit from side A while the destination is collected; true when it was taken for that.</summary>
    private bool TryCollectDigit(RelayLeg side, char digit)
    {
        if (_collecting is null || side != RelayLeg.A) return false;
        if (digit == '#' || _collecting.Length >= MaxDialledDigits)
        {
            FinishCollecting();
            return true;
        }
        _collecting.Append(digit);
        _collectTimer?.Change(B2bua.Options.DigitCollection, Timeout.InfiniteTimeSpan);
        return true;
    }

    private void OnCollectTimeout()
    {
        if (_collecting is null) return;
        if (_collecting.Length == 0)
        {
            _collecting = null;
            End("call-through: no destination dialled", byeFrom: null);
            return;
        }
        FinishCollecting();
    }

    private void FinishCollecting()
    {
        var number = _collecting!.ToString();
        _collecting = null;
        _collectTimer?.Dispose();
        _called = number;
        CallThroughDialling(B2bua.Log, Id, _callerLogin, number);
        RingSecondParty(number);
    }

    /// <summary>Rings the destination for side B (ringback to side A meanwhile) and connects it when it answers.</summary>
    private void RingSecondParty(string number)
    {
        if (_media!.OfferForNewPhone(RelayLeg.B) is not { } offer)
        {
            End("no media to offer the destination", byeFrom: null);
            return;
        }
        _media.PlayTo(RelayLeg.A, new ToneAudioSource(B2bua.Options.Tones[ToneKind.Ringback], 8000));
        _ = RingSecondPartyAsync(number, offer);
    }

    private async Task RingSecondPartyAsync(string number, SessionDescription offer)
    {
        RoutingOutcome outcome;
        try
        {
            var legs = new TransferLegFactory(this, SdpSerializer.Serialize(offer),
                new SecondaryLeg(number, _caller, _inviteTx is null ? "callback" : "call-through"));
            using var stop = new CancellationTokenSource(B2bua.Options.RingTimeout);
            var routed = await B2bua.Routing(legs).RouteAsync(new IncomingCall(_caller, number, _callerLogin), stop.Token);
            outcome = routed.Outcome;
            if (outcome is RoutingOutcome.Failed { Reason: RoutingFailure.UnknownNumber } && B2bua.Trunks?.Route(number) is { } dialOut
                && await B2bua.Routing(legs).AuthorizeOutgoingAsync(new OutgoingCall(_callerLogin, number), stop.Token) != BarringVerdict.Barred)
            {
                var leg = legs.Start(new LegRequest(new CallTarget.ExternalNumber(dialOut.E164), _caller));
                using var registration = stop.Token.Register(leg.Cancel);
                outcome = await leg.Outcome is LegOutcome.Answered
                    ? new RoutingOutcome.Answered(new RoutingParty.User(_callerLogin), new RingBranch(leg.Request.Target), leg)
                    : new RoutingOutcome.Failed(RoutingFailure.Unavailable, $"trunk {dialOut.Trunk.Name} did not connect {dialOut.E164}");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            outcome = new RoutingOutcome.Failed(RoutingFailure.Unavailable, ex.Message);
        }
        Queue.Post(() => OnSecondPartyDecided(outcome, offer));
    }

    private void OnSecondPartyDecided(RoutingOutcome outcome, SessionDescription offer)
    {
        var answered = (outcome as RoutingOutcome.Answered)?.Leg as SipOutboundLeg;
        if (_phase != CallPhase.Connected || _sides[(int)RelayLeg.A] is null)
        {
            answered?.HangUp();
            return;
        }
        if (answered?.Answered is { AnswerSdp: { } sdp, Dialog: { } dialog } fork
            && _media!.CompleteNewPhone(RelayLeg.B, offer, sdp))
        {
            _bridged = answered;
            _calleeLogin = answered.LoginId;
            AdoptSide(RelayLeg.B, new CallSide(dialog, fork, answered.LoginId), countActivity: false);
            Connected(B2bua.Log, Id, _caller.Number, _called, fork.Target.Contact);
            return;
        }
        answered?.HangUp();
        _callerResult = outcome is RoutingOutcome.RejectedBusy ? CallResult.Busy : CallResult.Failed;
        // Side A alone was never connected to anyone: BYE it and journal the call as not answered.
        Side(RelayLeg.A).Dialog.Send(Pbx.Sip.Messages.SipMethod.Bye, IgnoreResponses.Instance);
        Finish($"the destination {_called} was not reached", answered: false);
    }

    /// <summary>Call-through from a cell phone through a trunk: whose cell is it? Unknown numbers are refused.</summary>
    private async Task IdentifyCallThroughAsync(SessionDescription offer)
    {
        string? login = null;
        try
        {
            login = await B2bua.Directory.FindUserByCellNumberAsync(_caller.Number, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
        }
        Queue.Post(() =>
        {
            if (login is null)
            {
                Reject(403, "Forbidden - Not A Registered Cell Number", $"call-through from {_caller.Number}, which is no user's cell number");
                return;
            }
            _callerLogin = login;
            B2bua.Activity.Change(login, 0, +1);
            _callerActive = true;
            _ = StartCallThroughAsync(offer);
        });
    }

    private async Task StartCallThroughAsync(SessionDescription offer)
    {
        // Calls the user places through the PBX show the user's desk number.
        var identity = await B2bua.Directory.GetIdentityAsync(_callerLogin, CancellationToken.None);
        var language = await B2bua.Directory.GetLanguageAsync(_callerLogin, CancellationToken.None);
        Queue.Post(() =>
        {
            if (identity is not null) _caller = identity;
            _languages[(int)RelayLeg.A] = language;
            if (_phase == CallPhase.Routing) BeginCallThrough(offer);
        });
    }

    [LoggerMessage(EventId = 3060, Level = LogLevel.Information, Message = "Call {CallId}: callback: {User} answered, now ringing {Destination}")]
    private static partial void CallbackFirstAnswered(ILogger logger, string callId, string user, string destination);

    [LoggerMessage(EventId = 3061, Level = LogLevel.Information, Message = "Call {CallId}: call-through: {User} dialled {Destination}")]
    private static partial void CallThroughDialling(ILogger logger, string callId, string user, string destination);
}
