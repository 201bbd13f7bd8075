using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Transactions;

/// <summary>Common part of client and server transactions. State changes happen under <see cref="Sync"/>; effects after it.</summary>
public abstract class SipTransaction
{
    private protected readonly SipTransactionLayer Layer;
    private protected readonly Lock Sync = new();
    private TimerHandle? _retransmit;
    private TimerHandle? _timeout;
    private TimerHandle? _cleanup;

    private protected SipTransaction(SipTransactionLayer layer, string key, SipMessage request, SipFlow flow)
    {
        Layer = layer;
        Key = key;
        Request = request;
        Flow = flow;
        IsInvite = request.Method == SipMethod.Invite;
    }

    /// <summary>Table key: branch, sent-by and method (RFC 3261 §17.1.3, §17.2.3) or the RFC 2543 fallback.</summary>
    public string Key { get; }

    /// <summary>The request, owned by the transaction; valid until <see cref="ISipTransactionUser.OnTransactionTerminated"/> returns.</summary>
    public SipMessage Request { get; }

    public SipFlow Flow { get; }

    /// <summary>
    /// What the TU attached to the transaction (e.g. the call leg that sent it); set by
    /// <see cref="SipTransactionLayer.SendRequest(ReadOnlyMemory{byte}, SipFlow, object?)"/> before the request leaves,
    /// so even an immediate response finds it.
    /// </summary>
    public object? Owner { get; internal set; }

    public bool IsInvite { get; }

    public TransactionState State { get; private protected set; }

    public TerminationReason Reason { get; private set; }

    private protected SipTransactionOptions Options => Layer.Options;

    private protected void StartRetransmitTimer(TimeSpan delay, Action<object> callback)
    {
        _retransmit?.Cancel();
        _retransmit = Layer.Timers.Schedule(delay, callback, this);
    }

    private protected void StopRetransmitTimer()
    {
        _retransmit?.Cancel();
        _retransmit = null;
    }

    private protected void StartTimeoutTimer(TimeSpan delay, Action<object> callback)
    {
        _timeout?.Cancel();
        _timeout = Layer.Timers.Schedule(delay, callback, this);
    }

    private protected void StopTimeoutTimer()
    {
        _timeout?.Cancel();
        _timeout = null;
    }

    /// <summary>Schedules the end of the transaction (Timer D, I, J, K, L, M); zero ends it at once.</summary>
    private protected bool ScheduleCleanup(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) return true;
        _cleanup?.Cancel();
        _cleanup = Layer.Timers.Schedule(delay, static s => ((SipTransaction)s).OnCleanupTimer(), this);
        return false;
    }

    private void OnCleanupTimer()
    {
        bool end;
        lock (Sync) end = MarkTerminated(TerminationReason.Normal);
        if (end) Layer.Remove(this);
    }

    /// <summary>Moves to Terminated under the lock; true if this call did it (the caller then removes it, outside the lock).</summary>
    private protected bool MarkTerminated(TerminationReason reason)
    {
        if (State == TransactionState.Terminated) return false;
        State = TransactionState.Terminated;
        Reason = reason;
        _retransmit?.Cancel();
        _timeout?.Cancel();
        _cleanup?.Cancel();
        return true;
    }

    internal void Shutdown()
    {
        bool end;
        lock (Sync) end = MarkTerminated(TerminationReason.Shutdown);
        if (end) Layer.Remove(this);
    }

    internal void OnTransportError()
    {
        bool end;
        lock (Sync) end = MarkTerminated(TerminationReason.TransportError);
        if (!end) return;
        OnTransportFailed();
        Layer.Remove(this);
    }

    private protected virtual void OnTransportFailed()
    {
    }

    public override string ToString() => $"{GetType().Name} {Key} {State}";
}
