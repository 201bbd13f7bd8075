namespace Pbx.Sip.Transactions;

/// <summary>RFC 3261 §17 states, with Accepted from RFC 6026.</summary>
public enum TransactionState : byte
{
    Calling,
    Trying,
    Proceeding,
    Accepted,
    Completed,
    Confirmed,
    Terminated,
}

public enum TerminationReason : byte
{
    None,

    /// <summary>Normal end: Timer D, I, J, K, L or M fired (or zero on reliable transports).</summary>
    Normal,

    /// <summary>Timer B or F fired, or the pending-lifetime guard ended the transaction.</summary>
    Timeout,

    /// <summary>Timer H fired: a non-2xx final response was never acknowledged.</summary>
    NoAck,

    /// <summary>The transport failed to send.</summary>
    TransportError,

    /// <summary>The transaction layer was disposed.</summary>
    Shutdown,
}
