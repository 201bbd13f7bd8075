namespace Pbx.Media.Relay;

/// <summary>Lock-free counters of one forwarding path; written by its loop, read by anyone.</summary>
internal sealed class StreamCounters
{
    private const long NoPacketYet = long.MinValue;
    private long _packetsRelayed;
    private long _bytesRelayed;
    private long _packetsReceived;
    private long _lastPacketTimestamp = NoPacketYet;
    private long _droppedInvalid;
    private long _droppedUnexpectedSource;
    private long _droppedNoDestination;
    private long _sendErrors;
    private long _receiveErrors;

    public void OnAccepted(long timestamp)
    {
        Interlocked.Increment(ref _packetsReceived);
        Volatile.Write(ref _lastPacketTimestamp, timestamp);
    }

    public void OnRelayed(int bytes)
    {
        Interlocked.Increment(ref _packetsRelayed);
        Interlocked.Add(ref _bytesRelayed, bytes);
    }

    public void OnInvalid() => Interlocked.Increment(ref _droppedInvalid);
    public void OnUnexpectedSource() => Interlocked.Increment(ref _droppedUnexpectedSource);
    public void OnNoDestination() => Interlocked.Increment(ref _droppedNoDestination);
    public void OnSendError() => Interlocked.Increment(ref _sendErrors);
    public void OnReceiveError() => Interlocked.Increment(ref _receiveErrors);

    public RelayStreamStatistics Snapshot(TimeProvider time, long startTimestamp)
    {
        var last = Volatile.Read(ref _lastPacketTimestamp);
        var hasPackets = last != NoPacketYet;
        return new RelayStreamStatistics(
            Interlocked.Read(ref _packetsRelayed),
            Interlocked.Read(ref _bytesRelayed),
            Interlocked.Read(ref _packetsReceived),
            time.GetElapsedTime(hasPackets ? last : startTimestamp),
            hasPackets,
            Interlocked.Read(ref _droppedInvalid),
            Interlocked.Read(ref _droppedUnexpectedSource),
            Interlocked.Read(ref _droppedNoDestination),
            Interlocked.Read(ref _sendErrors),
            Interlocked.Read(ref _receiveErrors));
    }
}
