using Pbx.Sip.Auth;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Server.Sip;

/// <summary>Dispatches what the transaction layer delivers to the module that owns it.</summary>
internal sealed class PbxTransactionUser(RegistrarService registrar, SourceGuard guard, QualifyService qualify,
    DigestAuthenticator authenticator, string realm) : ISipTransactionUser
{
    private const string Allow = "REGISTER, OPTIONS";

    public void OnRequest(ServerTransaction transaction)
    {
        switch (transaction.Request.Method)
        {
            case SipMethod.Register when !guard.MayRegister(transaction.Flow.Remote.Address):
                transaction.SendResponse(403, "Forbidden - Registration Not Allowed From This Network", SipIds.NewTag());
                break;
            case SipMethod.Register:
                registrar.Handle(transaction);
                break;
            case SipMethod.Options:
                transaction.SendResponse(200, "OK", SipIds.NewTag(), w =>
                {
                    w.WriteHeader(HeaderKind.Allow, Allow);
                    w.WriteHeader(HeaderKind.Accept, "application/sdp");
                });
                break;
            case SipMethod.Bye or SipMethod.Cancel:
                transaction.SendResponse(481, "Call/Transaction Does Not Exist", SipIds.NewTag());
                break;
            case SipMethod.Invite when Challenge(transaction):
                break;
            case SipMethod.Invite:
                // Calls arrive with the B2BUA; until then say so plainly rather than letting phones time out.
                transaction.SendResponse(501, "Not Implemented - Calls Are Not Available Yet", SipIds.NewTag(), w => w.WriteHeader(HeaderKind.Allow, Allow));
                break;
            default:
                transaction.SendResponse(405, "Method Not Allowed", SipIds.NewTag(), w => w.WriteHeader(HeaderKind.Allow, Allow));
                break;
        }
    }

    /// <summary>
    /// Authenticates an INVITE before anything about the callee is said, so known and unknown extensions look alike
    /// to a scanner. True when a 407 (or 400) was sent.
    /// </summary>
    private bool Challenge(ServerTransaction transaction)
    {
        var verification = authenticator.Verify(transaction.Request, HeaderKind.ProxyAuthorization, realm);
        if (verification.IsSuccess) return false;
        if (verification.Outcome == DigestOutcome.Malformed)
        {
            transaction.SendResponse(400, "Bad Request - Malformed Proxy-Authorization", SipIds.NewTag());
            return true;
        }
        if (verification.Outcome == DigestOutcome.Rejected) guard.OnAuthFailure(transaction.Flow.Remote.Address, verification.Username);
        transaction.SendResponse(407, "Proxy Authentication Required", SipIds.NewTag(),
            w => authenticator.WriteChallenges(w, realm, proxy: true, verification.Stale));
        return true;
    }

    public void OnAck(SipMessage ack, SipFlow source)
    {
        // No dialogs without calls: a stray ACK needs no answer (RFC 3261 §17.2.3).
    }

    public void OnResponse(ClientTransaction transaction, SipMessage response) => qualify.OnResponse(transaction, response);

    public void OnStrayResponse(SipMessage response, SipFlow source)
    {
        // A late retransmission of a response to a finished probe: nothing waits for it.
    }

    public void OnTransactionTerminated(SipTransaction transaction)
    {
        if (transaction is ClientTransaction client) qualify.Forget(client);
    }
}
