using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Sip;

/// <summary>
/// Retransmits a 2xx to an INVITE over UDP until its ACK arrives (RFC 3261 §13.3.1.4: the UAS core does this, not the
/// transaction): T1, doubling up to T2, for 64*T1; then <paramref name="onGiveUp"/> runs (the call must end).
/// </summary>
internal sealed class SuccessRetransmitter : IDisposable
{
    private readonly SipTransactionLayer _layer;
    private readonly byte[] _response;
    private readonly SipFlow _destination;
    private readonly Action _onGiveUp;
    private readonly ITimer _timer;
    private readonly TimeSpan _t2;
    private readonly long _deadline;
    private readonly TimeProvider _time;
    private TimeSpan _interval;
    private int _done;

    public SuccessRetransmitter(SipTransactionLayer layer, byte[] response, SipFlow destination, uint cseq, TimeProvider time, Action onGiveUp)
    {
        _layer = layer;
        _response = response;
        _destination = destination;
        CSeq = cseq;
        _onGiveUp = onGiveUp;
        _time = time;
        _interval = layer.Options.T1;
        _t2 = layer.Options.T2;
        _deadline = time.GetTimestamp() + (long)((layer.Options.T1 * 64).TotalSeconds * time.TimestampFrequency);
        _timer = time.CreateTimer(static s => ((SuccessRetransmitter)s!).OnTimer(), this, _interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The CSeq of the INVITE this 2xx answers; the ACK carries the same number.</summary>
    public uint CSeq { get; }

    private void OnTimer()
    {
        if (Volatile.Read(ref _done) != 0) return;
        if (_time.GetTimestamp() >= _deadline)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) _onGiveUp();
            return;
        }
        _ = _layer.SendStatelessAsync(_response, _destination);
        _interval = _interval * 2 < _t2 ? _interval * 2 : _t2;
        _timer.Change(_interval, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        Volatile.Write(ref _done, 1);
        _timer.Dispose();
    }
}
