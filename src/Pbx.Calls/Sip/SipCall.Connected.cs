using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Media;
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
        if (answer is null)
        {
            leg.HangUp();
            Reject(488, "Not Acceptable Here - Callee Answered Without Usable SDP", "callee answer had no usable SDP");
            return;
        }
        _bridged = leg;
        _calleeLogin = leg.LoginId;
        var bytes = BuildInboundResponse(200, "OK", _earlyAnswer ?? SdpSerializer.Serialize(answer));
        _inviteTx.SendResponse(bytes);
        B2bua.InviteAnswered(_inviteTx);
        var dialog = SipDialog.TryCreateAsUas(_invite, Encoding.ASCII.GetBytes(InboundTag), CallerFlow, DialogState.Confirmed, out _);
        if (dialog is null || !B2bua.Dialogs.TryAdd(dialog, this))
        {
            leg.HangUp();
            Finish("caller dialog could not be created", answered: false);
            return;
        }
        _inbound = new SipDialogLeg(B2bua, dialog, CallerFlow);
        if (!CallerFlow.IsReliable)
            _inbound.Unacknowledged = new SuccessRetransmitter(B2bua.Layer, bytes, _inviteTx.ResponseDestination, _invite.CSeq.Number,
                B2bua.Time, () => Queue.Post(() => End("caller never acknowledged the answer", byeFrom: null)));
        _phase = CallPhase.Connected;
        _answeredAt = B2bua.Time.GetUtcNow();
        Connected(B2bua.Log, Id, _caller.Number, _called, fork.Binding.Contact);
        StartTimers();
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

    // Leg A's dialog (IDialogOwner): requests from the caller.
    public void OnRequest(SipDialog dialog, ServerTransaction transaction) => OnInDialogRequest(null, dialog, transaction);

    public void OnAck(SipDialog dialog, SipMessage ack)
    {
        var cseq = ack.CSeq.Number;
        Queue.Post(() => Acknowledge(_inbound, cseq));
    }

    public void OnAckFrom(OutboundFork fork, uint cseq) => Queue.Post(() => Acknowledge(fork.Dialog, cseq));

    private static void Acknowledge(SipDialogLeg? leg, uint cseq)
    {
        if (leg?.Unacknowledged is not { } pending || pending.CSeq != cseq) return;
        pending.Dispose();
        leg.Unacknowledged = null;
    }

    /// <param name="fromFork">Null for the caller's dialog, else the bridged fork the request came in on.</param>
    public void OnInDialogRequest(OutboundFork? fromFork, SipDialog dialog, ServerTransaction transaction)
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
        var from = fromFork is null ? RelayLeg.A : RelayLeg.B;
        Queue.Post(() =>
        {
            using (request) HandleInDialog(from, transaction, request);
        });
    }

    private void HandleInDialog(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        if (_phase != CallPhase.Connected)
        {
            transaction.SendResponse(481, "Call/Transaction Does Not Exist");
            return;
        }
        switch (request.Method)
        {
            case SipMethod.Bye:
                transaction.SendResponse(200, "OK");
                End(from == RelayLeg.A ? "caller hung up" : "callee hung up", from);
                break;
            case SipMethod.Invite or SipMethod.Update:
                RelayOffer(from, transaction, request);
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
        var exchange = _media!.BeginOffer(from, offer);
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

    public void OnOfferAnswered(InDialogOffer pending, int status, string reason, SessionDescription? answerSdp)
    {
        if (_pendingOffer != pending) return;
        _pendingOffer = null;
        if (_phase != CallPhase.Connected) return;
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
        var origin = pending.From == RelayLeg.A ? _inbound! : _bridged!.Answered!.Dialog!;
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

    private void RelayInfo(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        request.TryGetHeader(HeaderKind.ContentType, out var type);
        var relay = new FinalResponseRelay(transaction);
        var sent = Other(from).Send(SipMethod.Info, relay,
            request.Body.IsEmpty ? null : Encoding.UTF8.GetString(request.Body),
            request.Body.IsEmpty ? null : Encoding.ASCII.GetString(type));
        if (sent is null) transaction.SendResponse(481, "Call/Transaction Does Not Exist");
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

    private SipDialogLeg Other(RelayLeg from) => from == RelayLeg.A ? _bridged!.Answered!.Dialog! : _inbound!;

    /// <summary>Ends a connected call: BYE to every leg that did not send one itself.</summary>
    private void End(string cause, RelayLeg? byeFrom)
    {
        if (_phase != CallPhase.Connected) return;
        if (byeFrom != RelayLeg.A && _inbound is not null)
        {
            _inbound.Send(SipMethod.Bye, IgnoreResponses.Instance);
        }
        if (byeFrom != RelayLeg.B) _bridged?.HangUp();
        Finish(cause, answered: true);
    }

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
