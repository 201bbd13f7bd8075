using Pbx.Media.Relay;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

/// <summary>
/// One party of a connected call: its dialog with us and the object the dialog table knows it by (this call for
/// the caller's dialog, the fork for a callee). Transfers replace a side or move it from one call to another.
/// </summary>
internal sealed class CallSide(SipDialogLeg dialog, object dialogOwner, string? loginId)
{
    public SipDialogLeg Dialog { get; } = dialog;
    public object DialogOwner { get; } = dialogOwner;
    public string? LoginId { get; } = loginId;
}

internal sealed partial class SipCall
{
    private readonly CallSide?[] _sides = new CallSide?[2];
    // Users who joined this call by a transfer; their activity is given back when it ends.
    private readonly List<string> _adoptedLogins = [];
    // Set when the caller's dialog moved into another call (attended transfer); its requests follow it there.
    private SipCall? _inboundMovedTo;

    /// <summary>Whether the fork's dialog is one side of this connected call.</summary>
    public bool IsBridgedTo(OutboundFork fork) => _phase == CallPhase.Connected && SideOf(fork) is not null;

    private RelayLeg? SideOf(object dialogOwner)
    {
        if (_sides[0]?.DialogOwner == dialogOwner) return RelayLeg.A;
        if (_sides[1]?.DialogOwner == dialogOwner) return RelayLeg.B;
        return null;
    }

    private CallSide Side(RelayLeg leg) => _sides[(int)leg]!;

    private SipDialogLeg Other(RelayLeg from) => Side(Opposite(from)).Dialog;

    private static RelayLeg Opposite(RelayLeg leg) => leg == RelayLeg.A ? RelayLeg.B : RelayLeg.A;

    // Leg A's dialog (IDialogOwner): requests from the caller, wherever its dialog lives now.
    public void OnRequest(SipDialog dialog, ServerTransaction transaction) =>
        (_inboundMovedTo ?? this).OnInDialogRequest(this, dialog, transaction);

    public void OnAck(SipDialog dialog, SipMessage ack)
    {
        var cseq = ack.CSeq.Number;
        var call = _inboundMovedTo ?? this;
        call.Queue.Post(() => call.Acknowledge(this, cseq));
    }

    public void OnAckFrom(OutboundFork fork, uint cseq) => Queue.Post(() => Acknowledge(fork, cseq));

    private void Acknowledge(object dialogOwner, uint cseq)
    {
        if (SideOf(dialogOwner) is not { } side) return;
        var leg = Side(side).Dialog;
        if (leg.Unacknowledged is not { } pending || pending.CSeq != cseq) return;
        pending.Dispose();
        leg.Unacknowledged = null;
    }

    /// <summary>
    /// Takes a side out of the call without ending it (the transferrer after a transfer): its user is no longer on
    /// this call; its dialog stays answerable (BYE gets 200) until it hangs up.
    /// </summary>
    private void DetachSide(RelayLeg leg)
    {
        var side = _sides[(int)leg];
        if (side is null) return;
        _sides[(int)leg] = null;
        side.Dialog.Unacknowledged?.Dispose();
        if (side.DialogOwner == this && _callerActive)
        {
            _callerActive = false;
            B2bua.Activity.Change(_callerLogin, 0, -1);
        }
        else if (side.DialogOwner is OutboundFork fork && _legs.FirstOrDefault(l => l.Answered == fork) is { } outbound)
        {
            outbound.Release();
        }
        else if (side.LoginId is { } login && _adoptedLogins.Remove(login))
        {
            B2bua.Activity.Change(login, 0, -1);
        }
    }

    /// <summary>Ends a detached side's dialog: BYE, and out of the dialog table.</summary>
    private void HangUpDetached(CallSide side)
    {
        side.Dialog.Send(SipMethod.Bye, IgnoreResponses.Instance);
        B2bua.Dialogs.Terminate(side.Dialog.Dialog);
    }

    /// <summary>
    /// A transferrer is expected to hang up after the final NOTIFY (RFC 5589); one that does not is hung up after a
    /// grace period, so its dialog cannot stay in the table for ever.
    /// </summary>
    private void HangUpDetachedLater(CallSide side)
    {
        ITimer? timer = null;
        timer = B2bua.Time.CreateTimer(_ => Queue.Post(() =>
        {
            timer?.Dispose();
            if (side.Dialog.Dialog.State != DialogState.Terminated) HangUpDetached(side);
        }), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Puts a dialog from elsewhere (a transfer target, or a party moved from another call) on a side.</summary>
    private void AdoptSide(RelayLeg leg, CallSide side, bool countActivity)
    {
        _sides[(int)leg] = side;
        if (countActivity && side.LoginId is { } login)
        {
            _adoptedLogins.Add(login);
            B2bua.Activity.Change(login, 0, +1);
        }
        if (side.DialogOwner is OutboundFork fork) fork.CurrentCall = this;
        else if (side.DialogOwner is SipCall origin && origin != this) origin._inboundMovedTo = this;
    }

    /// <summary>A request on a dialog that no longer is a side of this call (a transferrer that has not hung up yet).</summary>
    private static void AnswerDetached(ServerTransaction transaction, SipDialog dialog, B2buaService b2bua)
    {
        if (transaction.Request.Method == SipMethod.Bye)
        {
            transaction.SendResponse(200, "OK");
            b2bua.Dialogs.Terminate(dialog);
            return;
        }
        transaction.SendResponse(481, "Call/Transaction Does Not Exist");
    }
}
