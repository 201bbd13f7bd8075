using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Media;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Journal;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Sip;

internal enum CallPhase
{
    Routing,
    Connected,
    Finished,
}

/// <summary>
/// One call through the B2BUA, from the caller's INVITE to the last BYE. The caller's side is leg A; routing
/// (<see cref="RoutingEngine"/>) starts outbound legs through this call's <see cref="ILegFactory"/>, and the leg that
/// answers becomes leg B. Every event of the call runs on its <see cref="Queue"/>, one at a time.
/// </summary>
internal sealed partial class SipCall : IDialogOwner, ILegFactory
{
    // Null for calls the PBX itself places (callback): there is no caller's INVITE to answer.
    private readonly ServerTransaction? _inviteTx;
    private readonly SipMessage? _invite;
    private string _callerLogin;
    private readonly CancellationTokenSource _routingStop = new();
    private readonly List<SipOutboundLeg> _legs = [];
    private CallPhase _phase = CallPhase.Routing;
    private CallMedia? _media;
    private MediaExchange? _initialExchange;
    private CallerIdentity _caller;
    private string _called = "";
    private SipOutboundLeg? _bridged;
    private bool _callerCancelled;
    private bool _ringingSent;
    private string? _earlyAnswer;
    private bool _callerActive;

    public SipCall(B2buaService b2bua, ServerTransaction invite, string loginId)
    {
        B2bua = b2bua;
        _inviteTx = invite;
        _invite = invite.Request.Clone();
        _callerLogin = loginId;
        _caller = new CallerIdentity(loginId, null);
        CallerFlow = invite.Flow;
        Id = invite.Request.CallIdString;
        Queue = new SerialQueue(ex => HandlerFailed(b2bua.Log, Id, ex));
        _startedAt = b2bua.Time.GetUtcNow();
    }

    /// <summary>A call the PBX places itself (callback): no caller's INVITE; its first party is rung by the PBX.</summary>
    private SipCall(B2buaService b2bua, string loginId, string id)
    {
        B2bua = b2bua;
        _callerLogin = loginId;
        _caller = new CallerIdentity(loginId, null);
        Id = id;
        Queue = new SerialQueue(ex => HandlerFailed(b2bua.Log, Id, ex));
        _startedAt = b2bua.Time.GetUtcNow();
    }

    public B2buaService B2bua { get; }

    private ServerTransaction InviteTx => _inviteTx ?? throw new InvalidOperationException("This call was placed by the PBX; it has no INVITE to answer.");

    private SipMessage Invite => _invite ?? throw new InvalidOperationException("This call was placed by the PBX; it has no INVITE.");

    public SerialQueue Queue { get; }

    public string Id { get; }

    /// <summary>Our To-tag on the caller's dialog.</summary>
    public string InboundTag { get; } = SipIds.NewTag();

    public SipFlow CallerFlow { get; }

    public bool IsFinished => _phase == CallPhase.Finished;

    public void Start() => Queue.Post(Begin);

    private void Begin()
    {
        // Routing and forking take a while; stop the caller's retransmissions now (RFC 3261 §16.2).
        InviteTx.SendResponse(100, "Trying");
        if (Invite.Contacts.Length == 0)
        {
            Reject(400, "Bad Request - Missing Contact", "no Contact in INVITE");
            return;
        }
        _called = _fromTrunk?.CalledNumber ?? Encoding.UTF8.GetString(Invite.RequestUri.User);
        // A barred user unlocks one outgoing call by dialling *PIN*number (the PIN is checked by call barring).
        if (_fromTrunk is null && BarringPinDial().Match(_called) is { Success: true } unlock)
        {
            _barringPin = unlock.Groups["pin"].Value;
            _called = unlock.Groups["number"].Value;
        }
        if (_called.Length == 0)
        {
            Reject(404, "Not Found", "no number dialled");
            return;
        }
        if (OutboundFork.ReadSdp(Invite) is not { } offer)
        {
            // Offerless INVITEs (offer in the ACK) are not supported yet; phones that do this are rare.
            Reject(488, "Not Acceptable Here - SDP Offer Required", "no SDP offer");
            return;
        }
        if (_called == B2bua.Options.CallPullCode && _fromTrunk is null)
        {
            if (B2bua.FindConnectedCallOf(_callerLogin, except: this) is { } pulled) pulled.AcceptPull(this, _callerLogin, offer);
            else Reject(404, "Not Found - No Call To Pull", "no connected call to pull");
            return;
        }
        if (RequestedSessionSeconds() == 0)
        {
            var minimum = ((int)B2bua.Options.MinSessionExpires.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            InviteTx.SendResponse(422, "Session Interval Too Small", InboundTag, w => w.WriteHeader("Min-SE", minimum));
            B2bua.InviteAnswered(InviteTx);
            _callerResult = CallResult.Failed;
            Finish("session interval below Min-SE", answered: false);
            return;
        }
        _media = CallMedia.TryCreate(B2bua.Relays, Id, B2bua.MediaAddress, B2bua.Codecs, B2bua.Ticker, B2bua.MusicOnHold, out var noPorts);
        if (_media is null)
        {
            Reject(503, "Service Unavailable - No Media Ports", noPorts ?? "no media ports");
            return;
        }
        _media.Relay.DigitReceived += (side, digit) => Queue.Post(() => OnRelayDigit(side, digit));
        if (_fromTrunk is null && B2bua.Conferences?.FindDialIn(_called) is { } dialIn)
        {
            B2bua.Activity.Change(_callerLogin, 0, +1);
            _callerActive = true;
            _ = StartDialInAsync(offer, dialIn);
            return;
        }
        if (_called == B2bua.Options.CallThroughNumber)
        {
            if (_fromTrunk is null)
            {
                B2bua.Activity.Change(_callerLogin, 0, +1);
                _callerActive = true;
                _ = StartCallThroughAsync(offer);
            }
            else
            {
                _ = IdentifyCallThroughAsync(offer);
            }
            return;
        }
        _initialExchange = _media.BeginOffer(RelayLeg.A, offer);
        if (_initialExchange is null)
        {
            Reject(488, "Not Acceptable Here - No Common Codec", "no common codec");
            return;
        }
        _callerActive = _fromTrunk is null;
        if (_callerActive) B2bua.Activity.Change(_callerLogin, 0, +1);
        _routingStop.CancelAfter(B2bua.Options.RingTimeout);
        _ = RouteAsync();
    }

    private async Task RouteAsync()
    {
        RoutedCall routed;
        try
        {
            _caller = await B2bua.Directory.GetIdentityAsync(_callerLogin, _routingStop.Token) ?? _caller;
            var engine = B2bua.Routing(this);
            routed = await engine.RouteAsync(new IncomingCall(_caller, _called, _fromTrunk is null ? _callerLogin : null), _routingStop.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            routed = new RoutedCall(new RoutingOutcome.Failed(RoutingFailure.Unavailable, ex.Message), []);
        }
        Queue.Post(() => OnRouted(routed.Outcome));
    }

    public IOutboundLeg Start(LegRequest request)
    {
        var leg = new SipOutboundLeg(this, request, _initialExchange!.PeerOfferText);
        Queue.Post(() => _legs.Add(leg));
        return leg;
    }

    private void OnRouted(RoutingOutcome outcome)
    {
        if (outcome is RoutingOutcome.Answered { Leg: SipOutboundLeg leg })
        {
            if (_phase != CallPhase.Routing || _callerCancelled)
            {
                leg.HangUp();
                Finish("caller hung up while the callee answered", answered: false);
                return;
            }
            Bridge(leg);
            // Answered on the user's cell (iFMC, auto-pilot): still the user's call in the journal.
            if (_calleeLogin is null && outcome is RoutingOutcome.Answered { Party: RoutingParty.User owner }) _calleeLogin = owner.LoginId;
            return;
        }
        if (_phase != CallPhase.Routing) return;
        if (_callerCancelled)
        {
            _callerResult = CallResult.Missed;
            Finish("cancelled by caller", answered: false);
            return;
        }
        var (status, reason, cause, result) = outcome switch
        {
            RoutingOutcome.RejectedBusy busy => (486, "Busy Here", $"busy: {busy.Reason}", CallResult.Busy),
            RoutingOutcome.Failed { Reason: RoutingFailure.UnknownNumber } f => (404, "Not Found", f.Detail, CallResult.Failed),
            RoutingOutcome.Failed { Reason: RoutingFailure.NoAnswer } f => (480, "Temporarily Unavailable - No Answer", f.Detail, CallResult.Missed),
            RoutingOutcome.Failed f => (480, "Temporarily Unavailable", f.Detail, CallResult.Failed),
            RoutingOutcome.CallerGone when _routingStop.IsCancellationRequested =>
                (480, "Temporarily Unavailable - No Answer", "no answer within the ring time", CallResult.Missed),
            RoutingOutcome.Redirected r => (480, "Temporarily Unavailable - No Trunk", $"redirected to {r.E164}, but no trunk is configured", CallResult.Failed),
            RoutingOutcome.ToVoicemail v => (480, "Temporarily Unavailable - No Voicemail", $"to mailbox {v.MailboxId}, but voicemail is not available", CallResult.Failed),
            _ => (480, "Temporarily Unavailable", outcome.ToString(), CallResult.Failed),
        };
        if (TryDialOut(outcome)) return;
        Reject(status, reason, cause, result);
    }

    /// <summary>Progress from a ringing leg: the first 180 becomes our 180; a 183 with SDP opens early media.</summary>
    public void OnLegProgress(SipOutboundLeg leg, OutboundFork fork, int status, SessionDescription? sdp)
    {
        // A call the PBX placed has nobody waiting for a 180.
        if (_inviteTx is null) return;
        if (_phase != CallPhase.Routing || _callerCancelled || _media is null || _initialExchange is null) return;
        if (sdp is not null && _earlyAnswer is null && _media.Complete(_initialExchange, sdp) is { } answer)
        {
            _earlyAnswer = SdpSerializer.Serialize(answer);
            SendInboundResponse(183, "Session Progress", _earlyAnswer);
            return;
        }
        if (_ringingSent || _earlyAnswer is not null) return;
        _ringingSent = true;
        SendInboundResponse(180, "Ringing", null);
    }

    public void OnCallerCancelled() => Queue.Post(() =>
    {
        if (_phase != CallPhase.Routing || _callerCancelled) return;
        _callerCancelled = true;
        InviteTx.SendResponse(487, "Request Terminated", InboundTag);
        B2bua.InviteAnswered(InviteTx);
        // Routing sees the caller gone, cancels its legs and reports back; OnRouted finishes the call.
        _routingStop.Cancel();
    });

    /// <summary>Ends the call from outside (shutdown, admin).</summary>
    public void HangUp(string cause) => Queue.Post(() =>
    {
        if (_phase == CallPhase.Connected) End(cause, byeFrom: null);
        else if (_phase == CallPhase.Routing && !_callerCancelled) Reject(503, "Service Unavailable", cause);
    });

    private void Reject(int status, string reason, string cause, CallResult callerResult = CallResult.Failed)
    {
        _callerResult = callerResult;
        if (_inviteTx is not null)
        {
            InviteTx.SendResponse(status, reason, InboundTag, w => w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow));
            B2bua.InviteAnswered(InviteTx);
        }
        _routingStop.Cancel();
        Finish(cause, answered: false);
    }

    private void SendInboundResponse(int status, string reason, string? sdp)
    {
        var bytes = BuildInboundResponse(status, reason, sdp);
        InviteTx.SendResponse(bytes);
    }

    private byte[] BuildInboundResponse(int status, string reason, string? sdp, SipHeaderWriter? headers = null)
    {
        using var buffer = new PooledBufferWriter(1024 + (sdp?.Length ?? 0));
        var w = new SipMessageWriter(buffer);
        SipResponseFactory.WriteResponseStart(w, Invite, status, Encoding.UTF8.GetBytes(reason), Encoding.ASCII.GetBytes(InboundTag), InviteTx.Flow.Remote);
        DialogResponseHeaders.WriteRecordRoutes(w, Invite);
        w.WriteHeader(HeaderKind.Contact, B2bua.Endpoints.Contact(CallerFlow.Transport));
        w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
        headers?.Invoke(w);
        if (sdp is null) w.WriteBody(default);
        else w.WriteBody(Encoding.UTF8.GetBytes(sdp), Encoding.ASCII.GetBytes(SipHeaderValues.Sdp));
        return buffer.ToArray();
    }

    private string? _barringPin;

    [System.Text.RegularExpressions.GeneratedRegex(@"^\*(?<pin>[0-9]{4,8})\*(?<number>\+?[0-9]+)$")]
    private static partial System.Text.RegularExpressions.Regex BarringPinDial();

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "Call {CallId}: handler failed")]
    private static partial void HandlerFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Call {CallId}: routing failed")]
    private static partial void RoutingFailed(ILogger logger, string callId, Exception exception);
}
