using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Media;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

internal sealed partial class SipCall
{
    private ITimer? _maxDuration;
    private ITimer? _mediaCheck;
    private InDialogOffer? _pendingOffer;

    /// <summary>The answered leg becomes leg B: the caller gets our 200 with the relay's SDP and media flows.</summary>
    private void Bridge(SipOutboundLeg leg)
    {
        var fork = leg.Answered!;
        var answer = fork.AnswerSdp is { } sdp ? _media!.Complete(_initialExchange!, sdp) : null;
        // Whatever played to the callee side while it was set up (a confirmation prompt) stops now.
        _media!.RefreshMusicOnHold();
        if (answer is null)
        {
            leg.HangUp();
            Reject(488, "Not Acceptable Here - Callee Answered Without Usable SDP", "callee answer had no usable SDP");
            return;
        }
        _bridged = leg;
        _calleeLogin = leg.LoginId;
        var sessionSeconds = RequestedSessionSeconds();
        var bytes = BuildInboundResponse(200, "OK", _earlyAnswer ?? SdpSerializer.Serialize(answer),
            sessionSeconds is > 0 and var seconds ? w => WriteInboundSessionTimer(w, seconds) : null);
        // The dialog is findable before the 200 leaves: the caller's ACK and first requests may come at once.
        var dialog = SipDialog.TryCreateAsUas(Invite, Encoding.ASCII.GetBytes(InboundTag), CallerFlow, DialogState.Confirmed, out _);
        if (dialog is null || !B2bua.Dialogs.TryAdd(dialog, this))
        {
            leg.HangUp();
            Reject(500, "Server Internal Error - Dialog Not Created", "caller dialog could not be created");
            return;
        }
        InviteTx.SendResponse(bytes);
        B2bua.InviteAnswered(InviteTx);
        var inbound = new SipDialogLeg(B2bua, dialog, CallerFlow);
        _sides[(int)RelayLeg.A] = new CallSide(inbound, this, _fromTrunk is null ? _callerLogin : null);
        _sides[(int)RelayLeg.B] = new CallSide(fork.Dialog!, fork, leg.LoginId);
        if (!CallerFlow.IsReliable)
            inbound.Unacknowledged = new SuccessRetransmitter(B2bua.Layer, bytes, InviteTx.ResponseDestination, Invite.CSeq.Number,
                B2bua.Time, () => Queue.Post(() => End("caller never acknowledged the answer", byeFrom: null)));
        _phase = CallPhase.Connected;
        _answeredAt = B2bua.Time.GetUtcNow();
        Connected(B2bua.Log, Id, _caller.Number, _called, fork.Target.Contact);
        StartTimers();
        StartSessionTimers(sessionSeconds, fork.SessionExpires);
    }

    private void StartTimers()
    {
        var options = B2bua.Options;
        if (options.MaxDuration > TimeSpan.Zero)
            _maxDuration = B2bua.Time.CreateTimer(static s => ((SipCall)s!).Queue.Post(((SipCall)s!).OnMaxDuration), this,
                options.MaxDuration, Timeout.InfiniteTimeSpan);
        if (options.MediaTimeout > TimeSpan.Zero)
            _mediaCheck = B2bua.Time.CreateTimer(static s => ((SipCall)s!).Queue.Post(((SipCall)s!).CheckMedia), this,
                options.MediaCheckInterval, options.MediaCheckInterval);
    }

    private void OnMaxDuration() => End("maximum call duration reached", byeFrom: null);

    private void CheckMedia()
    {
        if (_phase != CallPhase.Connected || _media is null || _media.IsOnHold) return;
        if (_media.RtpIdleTime() >= B2bua.Options.MediaTimeout) End("media timeout: no RTP from either phone", byeFrom: null);
    }

    /// <param name="dialogOwner">What the dialog table knows the dialog by: a call for its caller's dialog, else a fork.</param>
    public void OnInDialogRequest(object dialogOwner, SipDialog dialog, ServerTransaction transaction)
    {
        switch (dialog.CheckIncomingRequest(transaction.Request))
        {
            case InDialogRequestVerdict.RejectOutOfOrder:
                transaction.SendResponse(500, "Server Internal Error - CSeq Out Of Order");
                return;
            case InDialogRequestVerdict.RejectTerminated:
                transaction.SendResponse(481, "Call/Transaction Does Not Exist");
                return;
        }
        var request = transaction.Request.Clone();
        Queue.Post(() =>
        {
            using (request)
            {
                if (_phase == CallPhase.Connected && SideOf(dialogOwner) is { } from) HandleInDialog(from, transaction, request);
                else AnswerDetached(transaction, dialog, B2bua);
            }
        });
    }

    private void HandleInDialog(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        if (IsServedLocally(from) && HandleServedInDialog(from, transaction, request)) return;
        switch (request.Method)
        {
            case SipMethod.Bye:
                transaction.SendResponse(200, "OK");
                OnBye(from);
                break;
            case SipMethod.Refer:
                OnRefer(from, transaction, request);
                break;
            case SipMethod.Invite or SipMethod.Update:
                OnSessionRefreshed(from);
                RelayOffer(from, transaction, request);
                break;
            case SipMethod.Info when ReadInfoDigit(request) is { } digit && TryCollectDigit(from, digit):
                transaction.SendResponse(200, "OK");
                break;
            case SipMethod.Info:
                RelayInfo(from, transaction, request);
                break;
            case SipMethod.Options:
                transaction.SendResponse(200, "OK", headers: w => w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow));
                break;
            default:
                transaction.SendResponse(501, "Not Implemented", headers: w => w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow));
                break;
        }
    }

    /// <summary>
    /// A re-INVITE or UPDATE with an offer (hold, resume, codec or address change) is passed to the other leg with our
    /// relay in between; the other leg's answer comes back the same way (RFC 3264 through a B2BUA).
    /// </summary>
    private void RelayOffer(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        if (_pendingOffer is not null)
        {
            transaction.SendResponse(491, "Request Pending", headers: w => w.WriteHeader("Retry-After", "1"));
            return;
        }
        var offer = OutboundFork.ReadSdp(request);
        if (offer is null)
        {
            if (request.Method == SipMethod.Update && request.Body.IsEmpty)
            {
                // An UPDATE without a body only refreshes the session.
                transaction.SendResponse(200, "OK");
                return;
            }
            transaction.SendResponse(488, request.Body.IsEmpty ? "Not Acceptable Here - SDP Offer Required" : "Not Acceptable Here - Malformed SDP");
            return;
        }
        bool hold = HoldDetection.IsHold(offer);
        if (hold || _media!.IsHolding(from))
        {
            AnswerHoldLocally(from, transaction, request, offer, hold);
            return;
        }
        if (_sides[(int)Opposite(from)] is null)
        {
            // The other side is being replaced by a transfer; the phone retries after it.
            transaction.SendResponse(491, "Request Pending", headers: w => w.WriteHeader("Retry-After", "2"));
            return;
        }
        var exchange = _media.BeginOffer(from, offer);
        if (exchange is null)
        {
            transaction.SendResponse(488, "Not Acceptable Here - No Common Codec");
            return;
        }
        var target = Other(from);
        var pending = new InDialogOffer(this, from, transaction, request.Method, exchange, request.CSeq.Number);
        if (target.Send(request.Method, pending, exchange.PeerOfferText, SipHeaderValues.Sdp) is null)
        {
            transaction.SendResponse(481, "Call/Transaction Does Not Exist");
            return;
        }
        _pendingOffer = pending;
    }

    /// <summary>
    /// Hold and resume are answered here, not passed on: the PBX plays music on hold to the other phone, as a PBX user
    /// expects, and the other phone keeps a plain two-way stream it never has to renegotiate.
    /// </summary>
    private void AnswerHoldLocally(RelayLeg from, ServerTransaction transaction, SipMessage request, SessionDescription offer, bool hold)
    {
        var answer = _media!.AnswerLocally(from, offer);
        if (answer is null)
        {
            transaction.SendResponse(488, "Not Acceptable Here - No Common Codec");
            return;
        }
        _media.SetHolding(from, hold);
        AnswerInDialog(from, transaction, request, answer, () => End("hold answer never acknowledged", byeFrom: null));
        HoldChanged(B2bua.Log, Id, from.ToString(), hold, _media.IsPlayingMusicOnHold);
    }

    public void OnOfferAnswered(InDialogOffer pending, int status, string reason, SessionDescription? answerSdp)
    {
        if (_pendingOffer != pending) return;
        _pendingOffer = null;
        if (_phase != CallPhase.Connected || _sides[0] is null || _sides[1] is null) return;
        var target = Other(pending.From);
        if (status is >= 200 and < 300 && pending.Method == SipMethod.Invite) target.SendAck();
        if (status >= 300)
        {
            pending.Transaction.SendResponse(status, reason);
            if (status == 481) End("the other party's dialog is gone", byeFrom: null);
            return;
        }
        var answer = answerSdp is null ? null : _media!.Complete(pending.Exchange, answerSdp);
        if (answer is null)
        {
            pending.Transaction.SendResponse(488, "Not Acceptable Here - No Usable Answer");
            return;
        }
        var origin = Side(pending.From).Dialog;
        var bytes = BuildInDialogSuccess(pending.Transaction.Request, origin, SdpSerializer.Serialize(answer));
        pending.Transaction.SendResponse(bytes);
        if (pending.Method == SipMethod.Invite && !origin.Flow.IsReliable)
        {
            origin.Unacknowledged?.Dispose();
            origin.Unacknowledged = new SuccessRetransmitter(B2bua.Layer, bytes, pending.Transaction.ResponseDestination, pending.CSeq,
                B2bua.Time, () => Queue.Post(() => End("re-INVITE answer never acknowledged", byeFrom: null)));
        }
        Reoffered(B2bua.Log, Id, pending.From.ToString(), _media!.IsOnHold);
    }

    private void OnDigit(RelayLeg from, char digit, string how)
    {
        if (_phase != CallPhase.Connected) return;
        var login = LoginOf(from);
        DigitReceived(B2bua.Log, Id, digit, from.ToString(), login ?? "-", how);
        B2bua.OnDigit(Id, login, digit);
        WatchFeatureCode(from, digit);
    }

    /// <summary>SIP INFO DTMF: application/dtmf-relay ("Signal=5") or application/dtmf ("5").</summary>
    internal static char? ReadInfoDigit(SipMessage request)
    {
        if (!request.TryGetHeader(HeaderKind.ContentType, out var type) || request.Body.IsEmpty) return null;
        var body = Encoding.UTF8.GetString(request.Body).Trim();
        string? value = null;
        if (type.StartsWith("application/dtmf-relay"u8))
        {
            foreach (var line in body.Split('\n'))
            {
                var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && parts[0].Equals("Signal", StringComparison.OrdinalIgnoreCase)) value = parts[1];
            }
        }
        else if (type.StartsWith("application/dtmf"u8))
        {
            value = body;
        }
        return value is { Length: 1 } && "0123456789*#ABCDabcd".Contains(value[0]) ? char.ToUpperInvariant(value[0]) : null;
    }

    private void RelayInfo(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        if (ReadInfoDigit(request) is { } infoDigit) OnDigit(from, infoDigit, "INFO");
        if (_sides[(int)Opposite(from)] is null)
        {
            transaction.SendResponse(491, "Request Pending");
            return;
        }
        request.TryGetHeader(HeaderKind.ContentType, out var type);
        var relay = new FinalResponseRelay(transaction);
        var sent = Other(from).Send(SipMethod.Info, relay,
            request.Body.IsEmpty ? null : Encoding.UTF8.GetString(request.Body),
            request.Body.IsEmpty ? null : Encoding.ASCII.GetString(type));
        if (sent is null) transaction.SendResponse(481, "Call/Transaction Does Not Exist");
    }

    /// <summary>
    /// 200 with our answer to an in-dialog offer from <paramref name="from"/>; over UDP a 200 for a re-INVITE is
    /// retransmitted until its ACK (RFC 3261 §13.3.1.4), and <paramref name="neverAcknowledged"/> runs (on the queue) if none comes.
    /// </summary>
    private void AnswerInDialog(RelayLeg from, ServerTransaction transaction, SipMessage request, SessionDescription answer, Action neverAcknowledged)
    {
        var leg = Side(from).Dialog;
        var bytes = BuildInDialogSuccess(request, leg, SdpSerializer.Serialize(answer));
        transaction.SendResponse(bytes);
        if (request.Method != SipMethod.Invite || leg.Flow.IsReliable) return;
        leg.Unacknowledged?.Dispose();
        leg.Unacknowledged = new SuccessRetransmitter(B2bua.Layer, bytes, transaction.ResponseDestination, request.CSeq.Number,
            B2bua.Time, () => Queue.Post(neverAcknowledged));
    }

    private byte[] BuildInDialogSuccess(SipMessage request, SipDialogLeg leg, string sdp)
    {
        using var buffer = new PooledBufferWriter(1024 + sdp.Length);
        var w = new SipMessageWriter(buffer);
        SipResponseFactory.WriteResponseStart(w, request, 200, "OK"u8, default, leg.Flow.Remote);
        w.WriteHeader(HeaderKind.Contact, B2bua.Endpoints.Contact(leg.Flow.Transport));
        w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
        w.WriteBody(Encoding.UTF8.GetBytes(sdp), Encoding.ASCII.GetBytes(SipHeaderValues.Sdp));
        return buffer.ToArray();
    }

    /// <summary>Ends a connected call: BYE to every side that did not send one itself.</summary>
    private void End(string cause, RelayLeg? byeFrom)
    {
        if (_phase != CallPhase.Connected) return;
        _transfer?.Stop.Cancel();
        foreach (var leg in (RelayLeg[])[RelayLeg.A, RelayLeg.B])
        {
            if (leg == byeFrom || _sides[(int)leg] is not { } side) continue;
            side.Dialog.Send(SipMethod.Bye, IgnoreResponses.Instance);
        }
        Finish(cause, answered: true);
    }

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Call {CallId}: DTMF {Digit} from leg {Leg} ({Login}) by {How}")]
    private static partial void DigitReceived(ILogger logger, string callId, char digit, string leg, string login, string how);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Call {CallId}: leg {Leg} hold={Hold}, music on hold playing: {Music}")]
    private static partial void HoldChanged(ILogger logger, string callId, string leg, bool hold, bool music);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Call {CallId}: {Caller} -> {Called} connected to {Contact}")]
    private static partial void Connected(ILogger logger, string callId, string caller, string called, string contact);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Call {CallId}: new offer from leg {Leg} relayed (on hold: {OnHold})")]
    private static partial void Reoffered(ILogger logger, string callId, string leg, bool onHold);
}

/// <summary>A re-INVITE or UPDATE we passed on, waiting for the other leg's answer.</summary>
internal sealed class InDialogOffer(SipCall call, RelayLeg from, ServerTransaction transaction, SipMethod method, MediaExchange exchange, uint cseq)
    : IResponseHandler
{
    public RelayLeg From => from;
    public ServerTransaction Transaction => transaction;
    public SipMethod Method => method;
    public MediaExchange Exchange => exchange;
    public uint CSeq => cseq;

    public void OnResponse(ClientTransaction sent, SipMessage response)
    {
        int status = response.StatusCode;
        if (status < 200) return;
        var reason = Encoding.UTF8.GetString(response.ReasonPhrase);
        var sdp = OutboundFork.ReadSdp(response);
        call.Queue.Post(() => call.OnOfferAnswered(this, status, reason, sdp));
    }
}

/// <summary>Passes the final status of a relayed request (INFO) back to the leg that sent it.</summary>
internal sealed class FinalResponseRelay(ServerTransaction transaction) : IResponseHandler
{
    public void OnResponse(ClientTransaction sent, SipMessage response)
    {
        if (response.StatusCode >= 200) transaction.SendResponse(response.StatusCode, Encoding.UTF8.GetString(response.ReasonPhrase));
    }
}
