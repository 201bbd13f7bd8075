using Pbx.Calls.Sip;
using Pbx.Sip.Auth;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Server.Sip;

/// <summary>Dispatches what the transaction layer delivers to the module that owns it: registrar, qualify or B2BUA.</summary>
internal sealed class PbxTransactionUser(RegistrarService registrar, SourceGuard guard, QualifyService qualify, B2buaService calls,
    DigestAuthenticator authenticator, string realm) : ISipTransactionUser
{
    /// <summary>
    /// Requests without any credentials get their digest challenge without a transaction (RFC 3261 §8.2.7): most
    /// REGISTERs and INVITEs start that way, and a stateful 401/407 would be kept for 32 s each.
    /// </summary>
    public PooledBufferWriter? TryRespondStatelessly(SipMessage request, SipFlow source)
    {
        switch (request.Method)
        {
            case SipMethod.Register when guard.MayRegister(source.Remote.Address):
                return registrar.TryChallengeStatelessly(request, source);
            case SipMethod.Invite when !request.To.HasTag && !request.TryGetHeader(HeaderKind.ProxyAuthorization, out _)
                                       && calls.Trunks?.FindBySource(source.Remote) is null:
                var buffer = new PooledBufferWriter(768);
                var writer = new SipMessageWriter(buffer);
                SipResponseFactory.WriteResponseStart(writer, request, 407, "Proxy Authentication Required"u8,
                    System.Text.Encoding.ASCII.GetBytes(SipIds.NewTag()), source.Remote);
                authenticator.WriteChallenges(writer, realm, proxy: true);
                writer.WriteBody(default);
                return buffer;
            default:
                return null;
        }
    }

    public void OnRequest(ServerTransaction transaction)
    {
        var request = transaction.Request;
        switch (request.Method)
        {
            case SipMethod.Register when !guard.MayRegister(transaction.Flow.Remote.Address):
                transaction.SendResponse(403, "Forbidden - Registration Not Allowed From This Network", SipIds.NewTag());
                break;
            case SipMethod.Register:
                registrar.Handle(transaction);
                break;
            case SipMethod.Cancel:
                calls.OnCancel(transaction);
                break;
            case not SipMethod.Register when request.To.HasTag:
                // In-dialog: the dialog match is the authentication (RFC 3261 §22 leaves it to policy; phones do not
                // answer a challenge to BYE reliably).
                if (!calls.TryHandleInDialog(transaction))
                    transaction.SendResponse(481, "Call/Transaction Does Not Exist");
                break;
            case SipMethod.Options:
                transaction.SendResponse(200, "OK", SipIds.NewTag(), w =>
                {
                    w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
                    w.WriteHeader(HeaderKind.Accept, "application/sdp");
                });
                break;
            case SipMethod.Invite when calls.Trunks?.FindBySource(transaction.Flow.Remote) is { } trunk:
                // Providers do not answer challenges: their INVITEs are trusted by source address (see TrunkService).
                calls.OnTrunkInvite(transaction, trunk);
                break;
            case SipMethod.Invite:
                if (!Challenge(transaction, out var username)) calls.OnInvite(transaction, username!);
                break;
            case SipMethod.Bye or SipMethod.Info or SipMethod.Update or SipMethod.Prack or SipMethod.Ack:
                transaction.SendResponse(481, "Call/Transaction Does Not Exist", SipIds.NewTag());
                break;
            default:
                transaction.SendResponse(405, "Method Not Allowed", SipIds.NewTag(), w => w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow));
                break;
        }
    }

    /// <summary>
    /// Authenticates an INVITE before anything about the callee is said, so known and unknown extensions look alike
    /// to a scanner. True when a 407 (or 400) was sent; otherwise <paramref name="username"/> is the caller.
    /// </summary>
    private bool Challenge(ServerTransaction transaction, out string? username)
    {
        var verification = authenticator.Verify(transaction.Request, HeaderKind.ProxyAuthorization, realm);
        username = verification.Username;
        if (verification.IsSuccess && username is not null) return false;
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

    public void OnAck(SipMessage ack, SipFlow source) => calls.OnAck(ack, source);

    public void OnResponse(ClientTransaction transaction, SipMessage response)
    {
        if (!calls.OnResponse(transaction, response)) qualify.OnResponse(transaction, response);
    }

    public void OnStrayResponse(SipMessage response, SipFlow source)
    {
        // A late retransmission of a response to a finished transaction: nothing waits for it.
    }

    public void OnTransactionTerminated(SipTransaction transaction)
    {
        calls.OnTransactionTerminated(transaction);
        if (transaction is ClientTransaction client) qualify.Forget(client);
    }
}
