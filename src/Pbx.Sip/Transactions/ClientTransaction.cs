using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Transactions;

/// <summary>INVITE (RFC 3261 §17.1.1 + RFC 6026) and non-INVITE (§17.1.2) client transactions.</summary>
public sealed class ClientTransaction : SipTransaction
{
    private TimeSpan _interval;

    internal ClientTransaction(SipTransactionLayer layer, string key, SipMessage request, SipFlow flow)
        : base(layer, key, request, flow)
    {
    }

    /// <summary>Last response status seen (0 before any).</summary>
    public int LastStatusCode { get; private set; }

    internal void Start()
    {
        lock (Sync)
        {
            State = IsInvite ? TransactionState.Calling : TransactionState.Trying;
            if (!Flow.IsReliable)
            {
                _interval = Options.T1;
                StartRetransmitTimer(_interval, IsInvite ? static s => ((ClientTransaction)s).OnTimerA() : static s => ((ClientTransaction)s).OnTimerE());
            }
            StartTimeoutTimer(Options.TimerB, static s => ((ClientTransaction)s).OnTimeout());
        }
        Layer.Send(this, Request.Raw, Flow);
    }

    // Timer A: INVITE retransmissions, interval doubling each time until Timer B (no T2 cap for INVITE, §17.1.1.2).
    private void OnTimerA()
    {
        lock (Sync)
        {
            if (State != TransactionState.Calling) return;
            _interval *= 2;
            StartRetransmitTimer(_interval, static s => ((ClientTransaction)s).OnTimerA());
        }
        Layer.Retransmit(this, Request.Raw, Flow);
    }

    // Timer E: non-INVITE retransmissions, doubling up to T2; in Proceeding always T2 (§17.1.2.2).
    private void OnTimerE()
    {
        lock (Sync)
        {
            if (State is not (TransactionState.Trying or TransactionState.Proceeding)) return;
            _interval = State == TransactionState.Proceeding ? Options.T2 : TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, Options.T2.Ticks));
            StartRetransmitTimer(_interval, static s => ((ClientTransaction)s).OnTimerE());
        }
        Layer.Retransmit(this, Request.Raw, Flow);
    }

    // Timer B / F, or the pending-lifetime guard for an INVITE stuck in Proceeding.
    private void OnTimeout()
    {
        bool end;
        lock (Sync) end = State is TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding && MarkTerminated(TerminationReason.Timeout);
        if (!end) return;
        Layer.ReportLocalResponse(this, 408, "Request Timeout");
        Layer.Remove(this);
    }

    private protected override void OnTransportFailed() => Layer.ReportLocalResponse(this, 503, "Service Unavailable");

    internal void OnResponse(SipMessage response)
    {
        int code = response.StatusCode;
        bool notify = false, sendAck = false, end = false;
        lock (Sync)
        {
            if (IsInvite)
            {
                switch (State)
                {
                    case TransactionState.Calling or TransactionState.Proceeding when code < 200:
                        State = TransactionState.Proceeding;
                        StopRetransmitTimer();
                        StartTimeoutTimer(Options.MaxPendingLifetime, static s => ((ClientTransaction)s).OnTimeout());
                        notify = true;
                        break;
                    case TransactionState.Calling or TransactionState.Proceeding when code < 300:
                        // RFC 6026: stay to absorb/forward 2xx retransmissions and forks until Timer M.
                        State = TransactionState.Accepted;
                        StopRetransmitTimer();
                        StopTimeoutTimer();
                        end = ScheduleCleanup(Options.T1 * 64) && MarkTerminated(TerminationReason.Normal);
                        notify = true;
                        break;
                    case TransactionState.Calling or TransactionState.Proceeding:
                        State = TransactionState.Completed;
                        StopRetransmitTimer();
                        StopTimeoutTimer();
                        sendAck = true;
                        notify = true;
                        end = ScheduleCleanup(Flow.IsReliable ? TimeSpan.Zero : Options.TimerD) && MarkTerminated(TerminationReason.Normal);
                        break;
                    case TransactionState.Accepted when code is >= 200 and < 300:
                        notify = true;
                        break;
                    case TransactionState.Completed when code >= 300:
                        sendAck = true;
                        break;
                }
            }
            else
            {
                switch (State)
                {
                    case TransactionState.Trying or TransactionState.Proceeding when code < 200:
                        State = TransactionState.Proceeding;
                        notify = true;
                        break;
                    case TransactionState.Trying or TransactionState.Proceeding:
                        State = TransactionState.Completed;
                        StopRetransmitTimer();
                        StopTimeoutTimer();
                        notify = true;
                        end = ScheduleCleanup(Flow.IsReliable ? TimeSpan.Zero : Options.T4) && MarkTerminated(TerminationReason.Normal);
                        break;
                }
            }
            if (notify) LastStatusCode = code;
        }
        if (sendAck) Layer.SendAckForFailure(this, response);
        if (notify) Layer.NotifyResponse(this, response);
        if (end) Layer.Remove(this);
    }
}
