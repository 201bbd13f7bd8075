using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Media.Sdp;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Calls.Trunks;
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
/// Our INVITE to one registration of the callee, or to a provider through a trunk (<see cref="ForkTarget"/>). All forks
/// of a leg carry the same SDP offer (the callee side of the relay); only the one that answers first is bridged, the
/// others are cancelled, and a 2xx that loses the race is acknowledged and hung up at once.
/// </summary>
internal sealed partial class OutboundFork(SipOutboundLeg leg, ForkTarget target) : IResponseHandler, IDialogOwner
{
    private SipMessage? _invite;
    private bool _cancelRequested;
    private bool _cancelSent;
    private byte[]? _ack;
    private string _offer = "";
    private string _from = "";
    private string _callId = "";
    private bool _challengeAnswered;

    public ForkState State { get; private set; }

    /// <summary>The call this fork's dialog belongs to: its leg's call, until a transfer moves it to another.</summary>
    public SipCall CurrentCall { get; set; } = leg.Call;

    public ForkTarget Target => target;

    public int FinalStatus { get; private set; }

    public string FinalReason { get; private set; } = "";

    /// <summary>The Session-Expires of the 2xx (RFC 4028), when the device put one in.</summary>
    public string? SessionExpires { get; private set; }

    /// <summary>The confirmed dialog once this fork answered.</summary>
    public SipDialogLeg? Dialog { get; private set; }

    /// <summary>The SDP of the 2xx (or of an early 183), null when it had none or it did not parse.</summary>
    public SessionDescription? AnswerSdp { get; private set; }

    private B2buaService B2bua => leg.Call.B2bua;

    public void Send(string offer)
    {
        var caller = leg.Request.Caller;
        var host = target.FromHost ?? B2bua.Endpoints.Host;
        var user = SipHeaderValues.UserPart(target.FromUser ?? caller.Number);
        _offer = offer;
        _from = caller.DisplayName is { Length: > 0 } name
            ? $"{SipHeaderValues.Quote(name)} <sip:{user}@{host}>;tag={SipIds.NewTag()}"
            : $"<sip:{user}@{host}>;tag={SipIds.NewTag()}";
        _callId = SipIds.NewCallId();
        SendInvite(1, null);
    }

    /// <summary>The INVITE, first plain, then (same dialog identifiers, next CSeq) with the answer to a challenge.</summary>
    private void SendInvite(uint cseq, (HeaderKind Kind, string Value)? credentials)
    {
        var flow = target.Flow;
        using var buffer = new PooledBufferWriter(1024 + _offer.Length);
        var w = new SipMessageWriter(buffer);
        w.WriteRequestLine(SipMethod.Invite, Encoding.UTF8.GetBytes(target.Contact));
        w.WriteHeader(HeaderKind.Via, B2bua.Endpoints.Via(flow.Transport, SipIds.NewBranch()));
        foreach (var hop in target.Path) w.WriteHeader(HeaderKind.Route, hop);
        w.WriteHeader(HeaderKind.MaxForwards, 70);
        w.WriteHeader(HeaderKind.From, _from);
        w.WriteHeader(HeaderKind.To, $"<{target.To}>");
        w.WriteHeader(HeaderKind.CallId, _callId);
        w.WriteCSeq(cseq, "INVITE"u8);
        w.WriteHeader(HeaderKind.Contact, target.Credentials is { } account
            ? TrunkContact.For(B2bua.Endpoints, flow.Transport, account.Username) : B2bua.Endpoints.Contact(flow.Transport));
        if (credentials is { } c) w.WriteHeader(c.Kind, c.Value);
        w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
        // We can refresh a session (RFC 4028) when the device wants a refresher.
        w.WriteHeader(HeaderKind.Supported, "timer");
        w.WriteHeader("User-Agent", SipHeaderValues.UserAgent);
        w.WriteBody(Encoding.UTF8.GetBytes(_offer), Encoding.ASCII.GetBytes(SipHeaderValues.Sdp));
        var bytes = buffer.ToArray();
        _invite?.Dispose();
        _invite = SipMessage.Parse(bytes).Message;
        try
        {
            B2bua.Layer.SendRequest(bytes, flow, this);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            SendFailed(B2bua.Log, target.Contact, ex.Message);
            State = ForkState.Failed;
            FinalStatus = 500;
            FinalReason = "Server Internal Error";
        }
    }

    /// <summary>
    /// A provider's 401/407 is answered once with the trunk's credentials (RFC 3261 §22.2); a second challenge means
    /// they were refused. True when the INVITE went out again.
    /// </summary>
    private bool TryAnswerChallenge(SipMessage response)
    {
        if (target.Credentials is not { } account || _challengeAnswered || _invite is null || _cancelRequested || _cancelSent) return false;
        var proxy = response.StatusCode == 407;
        if (!response.TryGetHeader(proxy ? HeaderKind.ProxyAuthenticate : HeaderKind.WwwAuthenticate, out var challenge)) return false;
        var answer = DigestClient.Answer(challenge, "INVITE", target.Contact, account.Username, account.Password, account.Realm);
        if (answer is null) return false;
        _challengeAnswered = true;
        State = ForkState.Calling;
        SendInvite(_invite.CSeq.Number + 1, (proxy ? HeaderKind.ProxyAuthorization : HeaderKind.Authorization, answer));
        return State != ForkState.Failed;
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
        if (status is 401 or 407 && TryAnswerChallenge(response)) return;
        State = ForkState.Failed;
        FinalStatus = status;
        FinalReason = Encoding.UTF8.GetString(response.ReasonPhrase);
        if (target.Trunk is { } trunk) TrunkService.CallFailed(B2bua.Log, trunk, status, FinalReason);
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
        var dialog = _invite is null ? null : B2bua.Dialogs.ApplyUacResponse(_invite, response, target.Flow, this, out _);
        if (dialog is null)
        {
            // A 2xx we cannot build a dialog from (no Contact) cannot even be acknowledged properly.
            State = ForkState.Failed;
            FinalStatus = 502;
            leg.OnForkFailed(this);
            return;
        }
        Dialog = new SipDialogLeg(B2bua, dialog, target.Flow);
        _ack = Dialog.SendAck();
        State = ForkState.Answered;
        AnswerSdp = ReadSdp(response) ?? AnswerSdp;
        SessionExpires = response.TryGetHeader(HeaderKind.SessionExpires, out var sessionExpires) ? Encoding.ASCII.GetString(sessionExpires) : null;
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
            B2bua.Layer.SendRequest(buffer.WrittenMemory, target.Flow, IgnoreResponses.Instance);
        }
        catch (InvalidOperationException)
        {
            // The same branch is already being cancelled.
        }
    }

    public void OnRequest(SipDialog dialog, ServerTransaction transaction)
    {
        if (CurrentCall.IsBridgedTo(this))
        {
            CurrentCall.OnInDialogRequest(this, dialog, transaction);
            return;
        }
        if (transaction.Request.Method == SipMethod.Info && leg.IsConfirming(this))
        {
            // The keypress that confirms an iFMC leg may come as SIP INFO rather than RFC 4733.
            transaction.SendResponse(200, "OK");
            if (SipCall.ReadInfoDigit(transaction.Request) is not null) leg.Call.Queue.Post(leg.OnConfirmDigit);
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
        if (CurrentCall.IsBridgedTo(this)) CurrentCall.OnAckFrom(this, ack.CSeq.Number);
    }


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
