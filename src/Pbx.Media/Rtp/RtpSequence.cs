namespace Pbx.Media.Rtp;

/// <summary>Modular arithmetic for 16-bit sequence numbers and 32-bit timestamps (RFC 3550 §A.1).</summary>
public static class RtpSequence
{
    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/>, across wrap-around (range -32768..32767).</summary>
    public static int Delta(ushort from, ushort to) => (short)(ushort)(to - from);

    /// <summary>True when <paramref name="candidate"/> comes after <paramref name="reference"/> in modular order.</summary>
    public static bool IsNewer(ushort candidate, ushort reference) => Delta(reference, candidate) > 0;

    public static ushort Next(ushort sequenceNumber) => unchecked((ushort)(sequenceNumber + 1));

    /// <summary>Signed distance between two RTP timestamps across wrap-around.</summary>
    public static long TimestampDelta(uint from, uint to) => unchecked((int)(to - from));

    public static bool IsTimestampNewer(uint candidate, uint reference) => TimestampDelta(reference, candidate) > 0;
}

/// <summary>
/// Extends 16-bit sequence numbers to a monotonic 64-bit counter by counting wraps, in the manner of RFC 3550 A.1,
/// so loss and reordering can be measured over long calls. Not thread-safe: one per receiving stream.
/// The first packet maps to 65536 + its number, so a packet reordered from before it cannot go negative.
/// </summary>
public struct ExtendedSequenceTracker
{
    private const int MaxMisorder = 100;
    private bool _initialized;
    private ushort _highest;
    private ulong _cycles;

    public readonly ulong HighestExtended => _cycles + _highest;

    /// <summary>Returns the extended number of <paramref name="sequenceNumber"/> and advances the highest seen.</summary>
    public ulong Extend(ushort sequenceNumber)
    {
        if (!_initialized)
        {
            _initialized = true;
            _highest = sequenceNumber;
            _cycles = 1UL << 16;
            return _cycles + sequenceNumber;
        }
        var delta = RtpSequence.Delta(_highest, sequenceNumber);
        if (delta > 0)
        {
            if (sequenceNumber < _highest) _cycles += 1UL << 16;
            _highest = sequenceNumber;
            return _cycles + sequenceNumber;
        }
        // Late packet: it belongs to the previous cycle when it sits numerically above the current highest.
        if (delta >= -MaxMisorder && sequenceNumber > _highest) return _cycles - (1UL << 16) + sequenceNumber;
        return _cycles + sequenceNumber;
    }
}
