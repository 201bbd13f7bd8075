using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Media.Endpoint;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Media.Tones;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Uris;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Sip;

/// <summary>
/// Transfers (RFC 3515 REFER, RFC 3891 Replaces, progress as RFC 3420 sipfrag NOTIFYs). Blind: the target is rung
/// with our relay port of the transferrer's side while the transferred party hears ringback; no answer within the
/// recall time brings the call back to the transferrer. Attended: the party of the transferrer's other call is
/// moved into this call (re-INVITE towards our relay), and both of the transferrer's dialogs end.
/// </summary>
internal sealed partial class SipCall
{
    private PendingTransfer? _transfer;

    private sealed class PendingTransfer(RelayLeg transferrer, CallSide transferrerSide, SessionDescription offer)
    {
        public RelayLeg Transferrer { get; } = transferrer;
        public CallSide TransferrerSide { get; } = transferrerSide;
        public SessionDescription Offer { get; } = offer;
        public CancellationTokenSource Stop { get; } = new();
        public bool TransferrerGone { get; set; }
        public bool Recalling { get; set; }
    }

    private void OnBye(RelayLeg from)
    {
        if (_transfer is { } transfer && transfer.Transferrer == from)
        {
            // A transferrer typically hangs up as soon as its REFER is accepted; the call goes on without it.
            transfer.TransferrerGone = true;
            DetachSide(from);
            B2bua.Dialogs.Terminate(transfer.TransferrerSide.Dialog.Dialog);
            return;
        }
        _transfer?.Stop.Cancel();
        End(from == RelayLeg.A ? "caller hung up" : "callee hung up", from);
    }

    private void OnRefer(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        if (!request.TryGetHeader(HeaderKind.ReferTo, out var referTo)
            || !NameAddress.TryParse(Encoding.UTF8.GetString(referTo), out var address) || !address.Uri.IsSipOrSips)
        {
            transaction.SendResponse(400, "Bad Request - Missing Or Malformed Refer-To");
            return;
        }
        if (_transfer is not null || _sides[(int)Opposite(from)] is null)
        {
            transaction.SendResponse(491, "Request Pending");
            return;
        }
        var uri = address.Uri;
        var target = UriEscaping.UnescapeToString(uri.User);
        var offer = _media!.OfferForNewPhone(from);
        if (offer is null)
        {
            transaction.SendResponse(488, "Not Acceptable Here - No Media To Transfer");
            return;
        }
        if (uri.HasHeaders && TryReadReplaces(uri.Headers, out var replaced))
        {
            StartAttendedTransfer(from, transaction, replaced, offer);
            return;
        }
        if (target.Length == 0)
        {
            transaction.SendResponse(400, "Bad Request - Refer-To Names No Number");
            return;
        }
        transaction.SendResponse(202, "Accepted");
        var transfer = new PendingTransfer(from, Side(from), offer);
        _transfer = transfer;
        SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 100 Trying", final: false);
        _media.PlayTo(Opposite(from), new ToneAudioSource(B2bua.Options.Tones[ToneKind.Ringback], 8000));
        transfer.Stop.CancelAfter(B2bua.Options.TransferRecall);
        TransferStarted(B2bua.Log, Id, from.ToString(), target);
        _ = RingTransferTargetAsync(transfer, target);
    }

    private async Task RingTransferTargetAsync(PendingTransfer transfer, string target)
    {
        RoutingOutcome outcome;
        try
        {
            var transferred = Opposite(transfer.Transferrer);
            var identity = await IdentityOfAsync(transferred);
            var legs = new TransferLegFactory(this, SdpSerializer.Serialize(transfer.Offer), new SecondaryLeg(target, identity, "transfer"));
            var routed = await B2bua.Routing(legs).RouteAsync(new IncomingCall(identity, target, LoginOf(transferred)), transfer.Stop.Token);
            outcome = routed.Outcome;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            outcome = new RoutingOutcome.Failed(RoutingFailure.Unavailable, ex.Message);
        }
        Queue.Post(() => OnTransferTargetDecided(transfer, outcome));
    }

    private void OnTransferTargetDecided(PendingTransfer transfer, RoutingOutcome outcome)
    {
        var answered = (outcome as RoutingOutcome.Answered)?.Leg as SipOutboundLeg;
        if (_transfer != transfer || _phase != CallPhase.Connected)
        {
            answered?.HangUp();
            return;
        }
        if (answered?.Answered is { AnswerSdp: { } sdp, Dialog: { } dialog } fork && _media!.CompleteNewPhone(transfer.Transferrer, transfer.Offer, sdp))
        {
            _transfer = null;
            if (!transfer.TransferrerGone)
            {
                SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 200 OK", final: true);
                DetachSide(transfer.Transferrer);
                HangUpDetachedLater(transfer.TransferrerSide);
            }
            AdoptSide(transfer.Transferrer, new CallSide(dialog, fork, answered.LoginId), countActivity: false);
            TransferCompleted(B2bua.Log, Id, transfer.Transferrer.ToString(), fork.Target.Contact);
            return;
        }
        answered?.HangUp();
        if (!transfer.TransferrerGone)
        {
            // The transferrer is still on the line: tell it, and its phone takes the call back (re-INVITE to resume).
            _transfer = null;
            SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 480 Temporarily Unavailable", final: true);
            _media!.RefreshMusicOnHold();
            TransferFailed(B2bua.Log, Id, "the target did not answer; the transferrer takes the call back");
            return;
        }
        if (!transfer.Recalling && transfer.TransferrerSide.LoginId is { } login)
        {
            transfer.Recalling = true;
            TransferFailed(B2bua.Log, Id, $"the target did not answer; recalling {login}");
            _ = RecallAsync(transfer, login);
            return;
        }
        _transfer = null;
        End("transfer failed and the recall was not answered", byeFrom: null);
    }

    /// <summary>The transferrer hung up already: ring all of its phones, as long as an ordinary call would ring.</summary>
    private async Task RecallAsync(PendingTransfer transfer, string login)
    {
        RoutingOutcome outcome;
        try
        {
            var identity = await IdentityOfAsync(Opposite(transfer.Transferrer));
            var own = await B2bua.Directory.GetIdentityAsync(login, CancellationToken.None);
            var legs = new TransferLegFactory(this, SdpSerializer.Serialize(transfer.Offer), new SecondaryLeg(own?.Number ?? login, identity, "recall"));
            // The factory already tracks the leg.
            var leg = legs.Start(new LegRequest(new CallTarget.AllDevicesOf(login), identity));
            outcome = await RingOnItsOwnAsync((SipOutboundLeg)leg, track: false) is LegOutcome.Answered
                ? new RoutingOutcome.Answered(new RoutingParty.User(login), new RingBranch(leg.Request.Target), leg)
                : new RoutingOutcome.Failed(RoutingFailure.NoAnswer, "recall not answered");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            outcome = new RoutingOutcome.Failed(RoutingFailure.Unavailable, ex.Message);
        }
        Queue.Post(() => OnTransferTargetDecided(transfer, outcome));
    }

    private void StartAttendedTransfer(RelayLeg from, ServerTransaction transaction, DialogId replaced, SessionDescription offer)
    {
        var dialog = B2bua.Dialogs.Find(replaced) ?? B2bua.Dialogs.Find(new DialogId(replaced.CallId, replaced.RemoteTag, replaced.LocalTag));
        var other = dialog?.Owner switch
        {
            OutboundFork fork => fork.CurrentCall,
            SipCall call => call._inboundMovedTo ?? call,
            _ => null,
        };
        if (other is null || other == this)
        {
            transaction.SendResponse(481, "Call/Transaction Does Not Exist - Replaced Dialog Unknown");
            return;
        }
        transaction.SendResponse(202, "Accepted");
        var transfer = new PendingTransfer(from, Side(from), offer);
        _transfer = transfer;
        SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 100 Trying", final: false);
        var owner = dialog!.Owner!;
        TransferStarted(B2bua.Log, Id, from.ToString(), $"the other party of call {other.Id}");
        other.Queue.Post(() => other.HandOver(owner, this, transfer));
    }

    /// <summary>
    /// On the transferrer's other call: gives its other party to <paramref name="into"/> and ends this call for the
    /// transferrer alone (BYE to it, none to the party that moves).
    /// </summary>
    private void HandOver(object transferrerOwner, SipCall into, PendingTransfer transfer)
    {
        if (_phase != CallPhase.Connected || SideOf(transferrerOwner) is not { } transferrerSide || _sides[(int)Opposite(transferrerSide)] is null)
        {
            into.Queue.Post(() => into.OnMoveFailed(transfer, "the replaced call is not connected"));
            return;
        }
        var moving = Side(Opposite(transferrerSide));
        DetachSide(Opposite(transferrerSide));
        End($"transferred into call {into.Id}", byeFrom: null);
        into.Queue.Post(() => into.AdoptMovedParty(transfer, moving));
    }

    private void AdoptMovedParty(PendingTransfer transfer, CallSide moving)
    {
        if (_transfer != transfer || _phase != CallPhase.Connected)
        {
            moving.Dialog.Send(SipMethod.Bye, IgnoreResponses.Instance);
            return;
        }
        DetachSide(transfer.Transferrer);
        AdoptSide(transfer.Transferrer, moving, countActivity: true);
        var answer = new MoveAnswer(this, transfer);
        if (moving.Dialog.Send(SipMethod.Invite, answer, SdpSerializer.Serialize(transfer.Offer), SipHeaderValues.Sdp) is null)
            OnMoveFailed(transfer, "the moved party's dialog is gone");
    }

    private void OnMovedPartyAnswered(PendingTransfer transfer, int status, SessionDescription? answer)
    {
        if (_transfer != transfer || _phase != CallPhase.Connected) return;
        var side = Side(transfer.Transferrer);
        if (status is >= 200 and < 300) side.Dialog.SendAck();
        if (status is < 200 or >= 300 || answer is null || !_media!.CompleteNewPhone(transfer.Transferrer, transfer.Offer, answer))
        {
            OnMoveFailed(transfer, $"the moved party answered {status}");
            return;
        }
        _transfer = null;
        SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 200 OK", final: true);
        HangUpDetached(transfer.TransferrerSide);
        TransferCompleted(B2bua.Log, Id, transfer.Transferrer.ToString(), "the party of the replaced call");
    }

    private void OnMoveFailed(PendingTransfer transfer, string reason)
    {
        if (_transfer != transfer) return;
        _transfer = null;
        TransferFailed(B2bua.Log, Id, reason);
        SendReferNotify(transfer.TransferrerSide.Dialog, "SIP/2.0 503 Service Unavailable", final: true);
        // The transferrer already left this call (its side was given to the moved party): end its dialog as well.
        if (SideOf(transfer.TransferrerSide.DialogOwner) is null) HangUpDetached(transfer.TransferrerSide);
        End($"attended transfer failed: {reason}", byeFrom: null);
    }

    private async ValueTask<CallerIdentity> IdentityOfAsync(RelayLeg side)
    {
        if (side == RelayLeg.A) return _caller;
        var login = LoginOf(side);
        return login is null ? new CallerIdentity(_called, null)
            : await B2bua.Directory.GetIdentityAsync(login, CancellationToken.None) ?? new CallerIdentity(login, null);
    }

    private string? LoginOf(RelayLeg side) => _sides[(int)side]?.LoginId;

    private static void SendReferNotify(SipDialogLeg leg, string status, bool final) =>
        leg.Send(SipMethod.Notify, IgnoreResponses.Instance, status + "\r\n", "message/sipfrag;version=2.0", w =>
        {
            w.WriteHeader(HeaderKind.Event, "refer");
            w.WriteHeader(HeaderKind.SubscriptionState, final ? "terminated;reason=noresource" : "active;expires=60");
        });

    /// <summary>The dialog named by a Replaces URI header (RFC 3891 §6.1): call-id;to-tag=..;from-tag=.. escaped.</summary>
    internal static bool TryReadReplaces(ReadOnlySpan<byte> uriHeaders, out DialogId replaced)
    {
        replaced = default;
        foreach (var part in Encoding.UTF8.GetString(uriHeaders).Split('&'))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0 || !part[..equals].Equals("Replaces", StringComparison.OrdinalIgnoreCase)) continue;
            var value = UriEscaping.UnescapeToString(Encoding.UTF8.GetBytes(part[(equals + 1)..]));
            var pieces = value.Split(';', StringSplitOptions.TrimEntries);
            string? toTag = null, fromTag = null;
            foreach (var piece in pieces.Skip(1))
            {
                if (piece.StartsWith("to-tag=", StringComparison.OrdinalIgnoreCase)) toTag = piece[7..];
                else if (piece.StartsWith("from-tag=", StringComparison.OrdinalIgnoreCase)) fromTag = piece[9..];
            }
            if (pieces[0].Length == 0 || toTag is null || fromTag is null) return false;
            // The tags are the transferrer's view of its dialog with us: to-tag is ours, from-tag its own.
            replaced = new DialogId(Encoding.UTF8.GetBytes(pieces[0]), Encoding.UTF8.GetBytes(toTag), Encoding.UTF8.GetBytes(fromTag));
            return true;
        }
        return false;
    }

    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "Call {CallId}: leg {Leg} transfers to {Target}")]
    private static partial void TransferStarted(ILogger logger, string callId, string leg, string target);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Information, Message = "Call {CallId}: transfer of leg {Leg} completed to {Target}")]
    private static partial void TransferCompleted(ILogger logger, string callId, string leg, string target);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Information, Message = "Call {CallId}: transfer failed: {Reason}")]
    private static partial void TransferFailed(ILogger logger, string callId, string reason);

    /// <summary>Legs a connected call starts for one of its sides: their offer points at that side of the relay.</summary>
    private sealed class TransferLegFactory(SipCall call, string offer, SecondaryLeg journal) : ILegFactory
    {
        public IOutboundLeg Start(LegRequest request)
        {
            var leg = new SipOutboundLeg(call, request, offer, ringCallerDevice: true) { Secondary = journal };
            call.Queue.Post(() => call._legs.Add(leg));
            return leg;
        }
    }

    /// <summary>The moved party's answer to our re-INVITE pointing it at this call's relay.</summary>
    private sealed class MoveAnswer(SipCall call, PendingTransfer transfer) : IResponseHandler
    {
        public void OnResponse(ClientTransaction sent, SipMessage response)
        {
            int status = response.StatusCode;
            if (status < 200) return;
            var sdp = OutboundFork.ReadSdp(response);
            call.Queue.Post(() => call.OnMovedPartyAnswered(transfer, status, sdp));
        }
    }
}
