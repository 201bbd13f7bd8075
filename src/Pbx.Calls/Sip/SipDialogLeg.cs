using System.Text;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Sip;

/// <summary>
/// One confirmed dialog of a call with the flow its requests travel over. Requests go to the flow the phone
/// registered or called from, not to its Contact, which behind NAT names an address we cannot reach.
/// </summary>
internal sealed class SipDialogLeg(B2buaService b2bua, SipDialog dialog, SipFlow flow)
{
    public SipDialog Dialog { get; } = dialog;

    public SipFlow Flow { get; } = flow;

    /// <summary>The 2xx we are retransmitting until the peer's ACK (UAS side of an INVITE over UDP).</summary>
    public SuccessRetransmitter? Unacknowledged { get; set; }

    public ClientTransaction? Send(SipMethod method, IResponseHandler? handler, string? body = null, string? contentType = null,
        SipHeaderWriter? headers = null)
    {
        if (Dialog.State == DialogState.Terminated) return null;
        var via = b2bua.Endpoints.Via(Flow.Transport, SipIds.NewBranch());
        var contact = method is SipMethod.Invite or SipMethod.Update or SipMethod.Notify ? b2bua.Endpoints.Contact(Flow.Transport) : null;
        using var request = Dialog.CreateRequest(method, Encoding.ASCII.GetBytes(via),
            contact is null ? default : Encoding.ASCII.GetBytes(contact),
            body is null ? default : Encoding.UTF8.GetBytes(body),
            contentType is null ? default : Encoding.ASCII.GetBytes(contentType), headers);
        return b2bua.Layer.SendRequest(request.WrittenMemory, Flow, handler);
    }

    /// <summary>ACK for a 2xx to our INVITE: its own branch, the INVITE's CSeq, no transaction (RFC 3261 §13.2.2.4).</summary>
    public byte[] SendAck()
    {
        var via = b2bua.Endpoints.Via(Flow.Transport, SipIds.NewBranch());
        using var ack = Dialog.CreateRequest(SipMethod.Ack, Encoding.ASCII.GetBytes(via));
        var bytes = ack.WrittenMemory.ToArray();
        _ = b2bua.Layer.SendStatelessAsync(bytes, Flow);
        return bytes;
    }

    public void Resend(byte[] message) => _ = b2bua.Layer.SendStatelessAsync(message, Flow);
}
