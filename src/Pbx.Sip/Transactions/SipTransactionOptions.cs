namespace Pbx.Sip.Transactions;

/// <summary>RFC 3261 §17 timer bases and the stack's own safety limits.</summary>
public sealed record SipTransactionOptions
{
    /// <summary>RTT estimate. Default 500 ms.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses. Default 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum time a message stays in the network. Default 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D for unreliable transports (at least 32 s).</summary>
    public TimeSpan TimerD { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>Send 100 Trying for an INVITE the TU has not answered within this time (RFC 3261 §17.2.1: 200 ms).</summary>
    public TimeSpan TryingDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Not in RFC 3261: an INVITE client transaction in Proceeding, or a server transaction whose TU never answers,
    /// is ended after this long so nothing can stay in the table forever (Timer C is 3 min; default 5 min).
    /// </summary>
    public TimeSpan MaxPendingLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>New requests beyond this many live transactions get 503 (overload).</summary>
    public int MaxTransactions { get; init; } = 50_000;

    /// <summary>§8.1.3.3: a UAC discards responses carrying more than one Via (RFC 4475 bcast). On for a B2BUA.</summary>
    public bool DiscardResponsesWithSeveralVias { get; init; } = true;

    public TimeSpan TimerB => T1 * 64;
}
