using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Telephony.Calls;

namespace Pbx.Calls.Sip;

/// <summary>What became of a call move.</summary>
public enum CallMoveResult
{
    Moved,
    NotAParty,
    NotPossibleNow,
    NotAnswered,
}

/// <summary>
/// Call move (OpenScape): the user's side of a connected call goes to another of the user's devices while the far
/// end stays connected. Push: the PBX rings the other device(s) and the first to answer takes over. Pull: the user
/// dials the pull code from the device that should take the call, and that INVITE takes over at once.
/// </summary>
internal sealed partial class SipCall
{
    private bool _moving;

    public bool HasParty(string loginId) =>
        _phase == CallPhase.Connected && _sides.Any(side => string.Equals(side?.LoginId, loginId, StringComparison.OrdinalIgnoreCase));

    public Task<CallMoveResult> PushAsync(string loginId, CallTarget target)
    {
        var done = new TaskCompletionSource<CallMoveResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Post(() => StartPush(loginId, target, done));
        return done.Task;
    }

    private void StartPush(string loginId, CallTarget target, TaskCompletionSource<CallMoveResult> done)
    {
        if (PartySide(loginId) is not { } side)
        {
            done.TrySetResult(CallMoveResult.NotAParty);
            return;
        }
        if (_transfer is not null || _moving || _media!.OfferForNewPhone(side) is not { } offer)
        {
            done.TrySetResult(CallMoveResult.NotPossibleNow);
            return;
        }
        _moving = true;
        var leaving = Side(side);
        _ = RingMoveTargetAsync(side, target, offer, leaving, done);
    }

    private async Task RingMoveTargetAsync(RelayLeg side, CallTarget target, SessionDescription offer, CallSide leaving,
        TaskCompletionSource<CallMoveResult> done)
    {
        LegOutcome outcome;
        SipOutboundLeg? leg = null;
        try
        {
            var identity = await IdentityOfAsync(Opposite(side));
            leg = new SipOutboundLeg(this, new LegRequest(target, identity), SdpSerializer.Serialize(offer), ringCallerDevice: true,
                skipDevice: leaving.Dialog.Flow) { Secondary = new SecondaryLeg(leaving.LoginId ?? "", identity, "move") };
            outcome = await RingOnItsOwnAsync(leg);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RoutingFailed(B2bua.Log, Id, ex);
            outcome = new LegOutcome.NotAnswered(LegFailure.Failed);
        }
        Queue.Post(() => OnMoveTargetDecided(side, offer, leaving, leg, outcome, done));
    }

    private void OnMoveTargetDecided(RelayLeg side, SessionDescription offer, CallSide leaving, SipOutboundLeg? leg, LegOutcome outcome,
        TaskCompletionSource<CallMoveResult> done)
    {
        _moving = false;
        var stillThere = _phase == CallPhase.Connected && _sides[(int)side] == leaving;
        if (outcome is LegOutcome.Answered && leg?.Answered is { AnswerSdp: { } sdp, Dialog: { } dialog } fork && stillThere
            && _media!.CompleteNewPhone(side, offer, sdp))
        {
            DetachSide(side);
            HangUpDetached(leaving);
            AdoptSide(side, new CallSide(dialog, fork, leaving.LoginId), countActivity: false);
            Moved(B2bua.Log, Id, leaving.LoginId ?? "?", fork.Target.Contact);
            done.TrySetResult(CallMoveResult.Moved);
            return;
        }
        if (outcome is LegOutcome.Answered) leg?.HangUp();
        done.TrySetResult(stillThere ? CallMoveResult.NotAnswered : CallMoveResult.NotPossibleNow);
    }

    /// <summary>
    /// Pull: <paramref name="puller"/> is a new call from one of the user's devices to the pull code. This call answers
    /// that INVITE itself and gives the device the user's side; the device that had it gets a BYE.
    /// </summary>
    public void AcceptPull(SipCall puller, string loginId, SessionDescription offer) => Queue.Post(() =>
    {
        if (PartySide(loginId) is not { } side || _transfer is not null || _moving)
        {
            puller.Queue.Post(() => puller.Reject(404, "Not Found - No Call To Pull", "no connected call of the user to pull"));
            return;
        }
        var answer = _media!.AnswerLocally(side, offer);
        if (answer is null)
        {
            puller.Queue.Post(() => puller.Reject(488, "Not Acceptable Here - No Common Codec", "pulled device shares no codec"));
            return;
        }
        var handle = new PulledDialog(this);
        var dialog = puller.AnswerForPull(SdpSerializer.Serialize(answer), handle, out var retransmit);
        if (dialog is null) return;
        var leaving = Side(side);
        DetachSide(side);
        HangUpDetached(leaving);
        dialog.Unacknowledged = retransmit;
        AdoptSide(side, new CallSide(dialog, handle, leaving.LoginId), countActivity: true);
        _media.RefreshMusicOnHold();
        Moved(B2bua.Log, Id, loginId, "the device that dialled the pull code");
    });

    /// <summary>On the pulling call: answers its own INVITE for the call it hands the device to, then ends quietly.</summary>
    private SipDialogLeg? AnswerForPull(string sdp, IDialogOwner owner, out SuccessRetransmitter? retransmit)
    {
        retransmit = null;
        var bytes = BuildInboundResponse(200, "OK", sdp);
        var dialog = SipDialog.TryCreateAsUas(Invite, Encoding.ASCII.GetBytes(InboundTag), CallerFlow, DialogState.Confirmed, out _);
        if (dialog is null || !B2bua.Dialogs.TryAdd(dialog, owner))
        {
            Reject(500, "Server Internal Error - Dialog Not Created", "pulling device's dialog could not be created");
            return null;
        }
        InviteTx.SendResponse(bytes);
        B2bua.InviteAnswered(InviteTx);
        var leg = new SipDialogLeg(B2bua, dialog, CallerFlow);
        if (!CallerFlow.IsReliable)
            retransmit = new SuccessRetransmitter(B2bua.Layer, bytes, InviteTx.ResponseDestination, Invite.CSeq.Number, B2bua.Time, () => { });
        _callerResult = Pbx.Telephony.Journal.CallResult.Answered;
        _quiet = true;
        Finish("pulled the user's call to this device", answered: false);
        return leg;
    }

    /// <summary>
    /// A leg this call starts outside routing (move, callback, recall): tracked like the others, rung for at most the
    /// ring time.
    /// </summary>
    private async Task<LegOutcome> RingOnItsOwnAsync(SipOutboundLeg leg, bool track = true)
    {
        if (track) Queue.Post(() => _legs.Add(leg));
        using var stop = new CancellationTokenSource(B2bua.Options.RingTimeout);
        using var registration = stop.Token.Register(leg.Cancel);
        return await leg.Outcome;
    }

    private RelayLeg? PartySide(string loginId)
    {
        if (_phase != CallPhase.Connected) return null;
        for (var i = 0; i < 2; i++)
            if (string.Equals(_sides[i]?.LoginId, loginId, StringComparison.OrdinalIgnoreCase)) return (RelayLeg)i;
        return null;
    }

    [LoggerMessage(EventId = 3050, Level = LogLevel.Information, Message = "Call {CallId}: {User}'s side moved to {Device}")]
    private static partial void Moved(ILogger logger, string callId, string user, string device);

    /// <summary>The dialog table's handle for a device that pulled a call: its requests go to the call it joined.</summary>
    private sealed class PulledDialog(SipCall call) : IDialogOwner
    {
        public void OnRequest(SipDialog dialog, ServerTransaction transaction) => call.OnInDialogRequest(this, dialog, transaction);

        public void OnAck(SipDialog dialog, SipMessage ack)
        {
            var cseq = ack.CSeq.Number;
            call.Queue.Post(() => call.Acknowledge(this, cseq));
        }
    }
}
