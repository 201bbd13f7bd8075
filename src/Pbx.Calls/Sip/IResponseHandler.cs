using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

/// <summary>Receives the responses to a request the B2BUA sent; attached as the client transaction's owner.</summary>
internal interface IResponseHandler
{
    /// <summary>Called on a transport thread; the message is valid only during the call.</summary>
    void OnResponse(ClientTransaction transaction, SipMessage response);
}

/// <summary>Owner of a dialog in the B2BUA's dialog table: gets the requests and ACKs the peer sends in it.</summary>
internal interface IDialogOwner
{
    void OnRequest(Pbx.Sip.Dialogs.SipDialog dialog, ServerTransaction transaction);

    void OnAck(Pbx.Sip.Dialogs.SipDialog dialog, SipMessage ack);
}
