using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Transactions;

/// <summary>
/// The layer above transactions (dialogs, registrar, B2BUA). Calls come outside transaction locks, so the TU may answer
/// from within them, and may come concurrently (transport receive loops, timer callbacks). Messages passed as arguments
/// are valid only during the call (use Clone to keep one).
/// </summary>
public interface ISipTransactionUser
{
    /// <summary>
    /// Offered each new request (not ACK, not a retransmission) before a transaction is made for it. A UAS may answer
    /// statelessly (RFC 3261 §8.2.7), most usefully with a digest challenge: a retransmitted request is simply
    /// challenged again, and no transaction has to be kept for 32 s. Return the whole response, or null to go on.
    /// </summary>
    PooledBufferWriter? TryRespondStatelessly(SipMessage request, SipFlow source) => null;

    /// <summary>A new request (anything but ACK); answer with <see cref="ServerTransaction.SendResponse(int, string, string?)"/>.</summary>
    void OnRequest(ServerTransaction transaction);

    /// <summary>An ACK that belongs to no transaction (ACK for 2xx, RFC 3261 §17.2.3) or reached one in Accepted.</summary>
    void OnAck(SipMessage ack, SipFlow source);

    /// <summary>
    /// A response for a client transaction: provisional, final, 2xx retransmissions in Accepted (RFC 6026), and a
    /// locally made 408 (Timer B/F) or 503 (transport error).
    /// </summary>
    void OnResponse(ClientTransaction transaction, SipMessage response);

    /// <summary>A response that matched no client transaction (e.g. a 2xx retransmission after Timer M).</summary>
    void OnStrayResponse(SipMessage response, SipFlow source);

    /// <summary>The transaction left the table; see <see cref="SipTransaction.Reason"/>.</summary>
    void OnTransactionTerminated(SipTransaction transaction);
}
