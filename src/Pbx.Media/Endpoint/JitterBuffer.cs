using Pbx.Media.Rtp;

namespace Pbx.Media.Endpoint;

internal enum JitterInsertResult
{
    Accepted,
    Duplicate,
    /// <summary>Arrived after its turn to play had passed.</summary>
    Late,
    TooLarge,
    /// <summary>So far ahead of the playout point that the stream must have restarted; the buffer was reset.</summary>
    Restarted,
}

internal enum JitterTakeResult
{
    Packet,
    /// <summary>The packet due now is missing while later ones are here: the caller conceals one packet's worth.</summary>
    Lost,
    /// <summary>Nothing to play: not started, underrun, or re-buffering.</summary>
    Empty,
}

/// <summary>
/// A small adaptive jitter buffer of RTP payloads indexed by sequence number: reorders, drops duplicates and late
/// packets, reports gaps for concealment. Playout waits until <see cref="TargetDepth"/> packets are queued; the
/// target follows the interarrival jitter of RFC 3550 §6.4.1 (three times the jitter plus one packet, within
/// the configured bounds). A queue that stays beyond target + 2 for half a second (a burst after a network stall)
/// loses one packet per half second until it is back, so latency shrinks without chopping short bursts: a digit
/// or a syllable arriving in a burst is still played whole. Slots are preallocated; nothing allocates per packet. Not thread-safe: the
/// endpoint serialises access with a short lock.
/// </summary>
internal sealed class JitterBuffer
{
    public const int Capacity = 32;
    private const int TrimAfterTakes = 25;
    private readonly byte[] _storage;
    private readonly int[] _lengths = new int[Capacity];
    private readonly ushort[] _sequences = new ushort[Capacity];
    private readonly bool[] _present = new bool[Capacity];
    private readonly int _maxPayload;
    private readonly int _minDepth;
    private readonly int _maxDepth;
    private readonly double _timestampUnitsPerTick;
    private readonly double _timestampUnitsPerTimeUnit;
    private bool _started;
    private bool _buffering = true;
    private ushort _next;
    private ushort _highest;
    private bool _hasTransit;
    private double _lastTransit;
    private double _jitter;
    private int _takesOverTarget;

    /// <param name="timestampUnitsPerSecond">RTP clock rate, to compare arrival times with RTP timestamps.</param>
    /// <param name="timeFrequency">Frequency of the arrival timestamps (the TimeProvider's).</param>
    public JitterBuffer(int maxPayload, int minDepth, int maxDepth, int timestampUnitsPerSecond, long timeFrequency)
    {
        if (minDepth < 1 || maxDepth < minDepth || maxDepth > Capacity - 2) throw new ArgumentOutOfRangeException(nameof(maxDepth), $"Depth bounds must satisfy 1 <= min <= max <= {Capacity - 2}.");
        _maxPayload = maxPayload;
        _minDepth = minDepth;
        _maxDepth = maxDepth;
        _storage = new byte[Capacity * maxPayload];
        _timestampUnitsPerTick = timestampUnitsPerSecond / 50.0;
        _timestampUnitsPerTimeUnit = (double)timestampUnitsPerSecond / timeFrequency;
        TargetDepth = minDepth;
    }

    public int TargetDepth { get; private set; }

    /// <summary>Sequence positions from the next one due up to the newest received (gaps included).</summary>
    public int Depth => _started ? Math.Max(0, RtpSequence.Delta(_next, _highest) + 1) : 0;
    /// <summary>Interarrival jitter estimate in RTP timestamp units.</summary>
    public double Jitter => _jitter;
    public long Duplicates { get; private set; }
    public long LatePackets { get; private set; }
    public long Lost { get; private set; }
    public long Restarts { get; private set; }
    public long TrimmedForLatency { get; private set; }

    public void Reset()
    {
        Array.Clear(_present);
        _started = false;
        _buffering = true;
        _hasTransit = false;
        _jitter = 0;
        _takesOverTarget = 0;
        TargetDepth = _minDepth;
    }

    public JitterInsertResult Insert(ushort sequence, uint timestamp, long arrival, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _maxPayload) return JitterInsertResult.TooLarge;
        var result = JitterInsertResult.Accepted;
        if (!_started)
        {
            _started = true;
            _next = sequence;
            _highest = sequence;
        }
        else
        {
            var ahead = RtpSequence.Delta(_next, sequence);
            if (ahead < 0)
            {
                LatePackets++;
                return JitterInsertResult.Late;
            }
            if (ahead >= Capacity)
            {
                Array.Clear(_present);
                Restarts++;
                _buffering = true;
                _next = sequence;
                _highest = sequence;
                result = JitterInsertResult.Restarted;
            }
        }

        var slot = sequence & (Capacity - 1);
        if (_present[slot] && _sequences[slot] == sequence)
        {
            Duplicates++;
            return JitterInsertResult.Duplicate;
        }
        payload.CopyTo(_storage.AsSpan(slot * _maxPayload));
        _lengths[slot] = payload.Length;
        _sequences[slot] = sequence;
        _present[slot] = true;
        if (RtpSequence.IsNewer(sequence, _highest)) _highest = sequence;
        UpdateJitter(timestamp, arrival);
        return result;
    }

    /// <summary>Takes the packet due now into <paramref name="destination"/> (at least the maximum payload size).</summary>
    public JitterTakeResult Take(Span<byte> destination, out int length)
    {
        length = 0;
        if (!_started) return JitterTakeResult.Empty;
        var depth = RtpSequence.Delta(_next, _highest) + 1;
        if (depth <= 0)
        {
            // Everything received has been played: wait for the queue to refill to the target before resuming.
            _buffering = true;
            return JitterTakeResult.Empty;
        }
        if (_buffering)
        {
            if (depth < TargetDepth) return JitterTakeResult.Empty;
            _buffering = false;
        }
        _takesOverTarget = depth > TargetDepth + 2 ? _takesOverTarget + 1 : 0;
        if (_takesOverTarget >= TrimAfterTakes)
        {
            _takesOverTarget = 0;
            Discard(_next);
            _next = RtpSequence.Next(_next);
            TrimmedForLatency++;
        }

        var slot = _next & (Capacity - 1);
        var due = _next;
        _next = RtpSequence.Next(_next);
        if (_present[slot] && _sequences[slot] == due)
        {
            _present[slot] = false;
            length = _lengths[slot];
            _storage.AsSpan(slot * _maxPayload, length).CopyTo(destination);
            return JitterTakeResult.Packet;
        }
        Lost++;
        return JitterTakeResult.Lost;
    }

    private void Discard(ushort sequence)
    {
        var slot = sequence & (Capacity - 1);
        if (_sequences[slot] == sequence) _present[slot] = false;
    }

    private void UpdateJitter(uint timestamp, long arrival)
    {
        // RFC 3550 §6.4.1: J += (|D| - J) / 16, D the change in transit time, all in RTP timestamp units.
        var transit = (arrival * _timestampUnitsPerTimeUnit) - timestamp;
        if (_hasTransit)
        {
            var change = Math.Abs(transit - _lastTransit);
            // A jump of more than a second is a timestamp discontinuity (new talkspurt base), not network jitter.
            if (change < 50 * _timestampUnitsPerTick) _jitter += (change - _jitter) / 16;
        }
        _hasTransit = true;
        _lastTransit = transit;
        TargetDepth = Math.Clamp(1 + (int)Math.Ceiling(3 * _jitter / _timestampUnitsPerTick), _minDepth, _maxDepth);
    }
}
