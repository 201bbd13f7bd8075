using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Media.Sdp;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

internal enum ForkState
{
    Calling,
    Proceeding,
    Answered,
    Failed,
}

/// <summary>
/// Our INVITE to one registration of the callee. All forks of a leg carry the same SDP offer (the callee side of the
/// relay); only the one that answers first is bridged, the others are cancelled, and a 2xx that loses the race is
/// acknowledged and hung up at once.
/// </summary>
internal sealed partial class OutboundFork(SipOutboundLeg leg, Binding binding) : IResponseHandler, IDialogOwner
{
    private SipMessage? _invite;
    private bool _cancelRequested;
    private bool _cancelSent;
    private byte[]? _ack;

    public ForkState State { get; private set; }

    public Binding Binding => binding;

    public int FinalStatus { get; private set; }

    /// <summary>The confirmed dialog once this fork answered.</summary>
    public SipDialogLeg? Dialog { get; private set; }

    /// <summary>The SDP of the 2xx (or of an early 183), null when it had none or it did not parse.</summary>
    public SessionDescription? AnswerSdp { get; private set; }

    private B2buaService B2bua => leg.Call.B2bua;

    public void Send(string offer)
    {
        var flow = binding.Flow;
        var caller = leg.Request.Caller;
        var host = B2bua.Endpoints.Host;
        var from = caller.DisplayName is { Length: > 0 } name
            ? $"{SipHeaderValues.Quote(name)} <sip:{SipHeaderValues.UserPart(caller.Number)}@{host}>;tag={SipIds.NewTag()}"
            : $"<sip:{SipHeaderValues.UserPart(caller.Number)}@{host}>;tag={SipIds.NewTag()}";
        using var buffer = new PooledBufferWriter(1024 + offer.Length);
        var w = new SipMessageWriter(buffer);
        w.WriteRequestLine(SipMethod.Invite, Encoding.UTF8.GetBytes(binding.Contact));
        w.WriteHeader(HeaderKind.Via, B2bua.Endpoints.Via(flow.Transport, SipIds.NewBranch()));
        foreach (var hop in binding.Path) w.WriteHeader(HeaderKind.Route, hop);
        w.WriteHeader(HeaderKind.MaxForwards, 70);
        w.WriteHeader(HeaderKind.From, from);
        w.WriteHeader(HeaderKind.To, $"<sip:{SipHeaderValues.UserPart(binding.Aor)}@{host}>");
        w.WriteHeader(HeaderKind.CallId, SipIds.NewCallId());
        w.WriteCSeq(1, "INVITE"u8);
        w.WriteHeader(HeaderKind.Contact, B2bua.Endpoints.Contact(flow.Transport));
        w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
        w.WriteHeader("User-Agent", SipHeaderValues.UserAgent);
        w.WriteBody(Encoding.UTF8.GetBytes(offer), Encoding.ASCII.GetBytes(SipHeaderValues.Sdp));
        var bytes = buffer.ToArray();
        _invite = SipMessage.Parse(bytes).Message;
        try
        {
            B2bua.Layer.SendRequest(bytes, flow, this);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            SendFailed(B2bua.Log, binding.Contact, ex.Message);
            State = ForkState.Failed;
            FinalStatus = 500;
        }
    }

    public void OnResponse(ClientTransaction transaction, SipMessage response)
    {
        if (transaction.Request.Method == SipMethod.Cancel) return;
        var copy = response.Clone();
        leg.Call.Queue.Post(() =>
        {
            using (copy) Handle(copy);
        });
    }

    private void Handle(SipMessage response)
    {
        int status = response.StatusCode;
        if (status < 200)
        {
            if (State == ForkState.Calling) State = ForkState.Proceeding;
            if (_cancelRequested)
            {
                SendCancel();
                return;
            }
            if (status > 100) leg.OnForkProvisional(this, status, ReadSdp(response));
            return;
        }
        if (status < 300)
        {
            OnSuccess(response);
            return;
        }
        if (State is ForkState.Answered or ForkState.Failed) return;
        State = ForkState.Failed;
        FinalStatus = status;
        leg.OnForkFailed(this);
    }

    private void OnSuccess(SipMessage response)
    {
        if (State == ForkState.Answered)
        {
            // A retransmitted 2xx: our ACK was lost (RFC 3261 §13.2.2.4).
            if (_ack is not null) Dialog?.Resend(_ack);
            return;
        }
        var dialog = _invite is null ? null : B2bua.Dialogs.ApplyUacResponse(_invite, response, binding.Flow, this, out _);
        if (dialog is null)
        {
            // A 2xx we cannot build a dialog from (no Contact) cannot even be acknowledged properly.
            State = ForkState.Failed;
            FinalStatus = 502;
            leg.OnForkFailed(this);
            return;
        }
        Dialog = new SipDialogLeg(B2bua, dialog, binding.Flow);
        _ack = Dialog.SendAck();
        State = ForkState.Answered;
        AnswerSdp = ReadSdp(response) ?? AnswerSdp;
        leg.OnForkAnswered(this);
    }

    /// <summary>Stops the fork: CANCEL once it has a provisional response (RFC 3261 §9.1), at the first one otherwise.</summary>
    public void Cancel()
    {
        switch (State)
        {
            case ForkState.Proceeding: SendCancel(); break;
            case ForkState.Calling: _cancelRequested = true; break;
            case ForkState.Answered: HangUp(); break;
        }
    }

    public void HangUp()
    {
        if (Dialog is null) return;
        Dialog.Send(SipMethod.Bye, IgnoreResponses.Instance);
        B2bua.Dialogs.Terminate(Dialog.Dialog);
    }

    private void SendCancel()
    {
        if (_cancelSent || _invite is null) return;
        _cancelSent = true;
        using var buffer = new PooledBufferWriter(512);
        SipRequestFactory.WriteCancel(new SipMessageWriter(buffer), _invite);
        try
        {
            B2bua.Layer.SendRequest(buffer.WrittenMemory, binding.Flow, IgnoreResponses.Instance);
        }
        catch (InvalidOperationException)
        {
            // The same branch is already being cancelled.
        }
    }

    public void OnRequest(SipDialog dialog, ServerTransaction transaction)
    {
        if (leg.Call.IsBridgedTo(this))
        {
            leg.Call.OnInDialogRequest(this, dialog, transaction);
            return;
        }
        // A device that lost the race may still hang up its half-made dialog.
        if (transaction.Request.Method == SipMethod.Bye)
        {
            transaction.SendResponse(200, "OK");
            B2bua.Dialogs.Terminate(dialog);
            return;
        }
        transaction.SendResponse(481, "Call/Transaction Does Not Exist");
    }

    public void OnAck(SipDialog dialog, SipMessage ack)
    {
        // We are the UAC of this dialog; an ACK from the device can only answer a re-INVITE 2xx of ours.
        if (leg.Call.IsBridgedTo(this)) leg.Call.OnAckFrom(this, ack.CSeq.Number);
    }

    public void Dispose() => _invite?.Dispose();

    internal static SessionDescription? ReadSdp(SipMessage message)
    {
        if (message.Body.IsEmpty) return null;
        if (message.TryGetHeader(HeaderKind.ContentType, out var type) && !type.StartsWith("application/sdp"u8)) return null;
        return SdpParser.TryParse(Encoding.UTF8.GetString(message.Body), out var sdp, out _) ? sdp : null;
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "INVITE to {Contact} could not be sent: {Reason}")]
    private static partial void SendFailed(ILogger logger, string contact, string reason);
}

/// <summary>For CANCEL and BYE whose answers change nothing.</summary>
internal sealed class IgnoreResponses : IResponseHandler
{
    public static readonly IgnoreResponses Instance = new();

    public void OnResponse(ClientTransaction transaction, SipMessage response)
    {
    }
}
