using Pbx.Media.Rtp;

namespace Pbx.Media.Endpoint;

/// <summary>
/// Sender state of one RTP stream (RFC 3550 §5.1): random SSRC, initial sequence number and timestamp; the
/// sequence number rises by one per packet and the timestamp follows the media clock by tick number, so skipped
/// ticks leave a gap in time but not in sequence. The marker bit goes on the first packet of each talkspurt.
/// Also builds RFC 4733 event packets, which keep the event's start timestamp for all its packets.
/// </summary>
internal sealed class RtpPacketizer
{
    private readonly uint _timestampBase;
    private readonly int _unitsPerTick;
    private ushort _sequence;
    private long _firstTick = -1;
    private bool _talkspurtStarts = true;

    public RtpPacketizer(int unitsPerTick)
    {
        _unitsPerTick = unitsPerTick;
        Ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _sequence = (ushort)Random.Shared.Next(0, ushort.MaxValue + 1);
        _timestampBase = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
    }

    public uint Ssrc { get; }
    public long PacketsSent { get; private set; }

    /// <summary>The RTP timestamp belonging to a tick (the first tick seen maps to the random base).</summary>
    public uint TimestampOf(long tickNumber)
    {
        if (_firstTick < 0) _firstTick = tickNumber;
        return unchecked(_timestampBase + (uint)((tickNumber - _firstTick) * _unitsPerTick));
    }

    /// <summary>The next audio packet starts a new talkspurt (after silence suppression or DTMF).</summary>
    public void MarkTalkspurt() => _talkspurtStarts = true;

    public int WriteAudio(Span<byte> packet, byte payloadType, long tickNumber, ReadOnlySpan<byte> payload)
    {
        var fields = new RtpHeaderFields(payloadType, _sequence, TimestampOf(tickNumber), Ssrc, _talkspurtStarts);
        _talkspurtStarts = false;
        return Finish(packet, fields, payload);
    }

    public int WriteEvent(Span<byte> packet, byte payloadType, uint eventTimestamp, bool marker, in TelephoneEvent telephoneEvent)
    {
        Span<byte> payload = stackalloc byte[TelephoneEvent.Size];
        telephoneEvent.TryWrite(payload);
        return Finish(packet, new RtpHeaderFields(payloadType, _sequence, eventTimestamp, Ssrc, marker), payload);
    }

    private int Finish(Span<byte> packet, in RtpHeaderFields fields, ReadOnlySpan<byte> payload)
    {
        RtpHeaderWriter.TryWrite(packet, fields, out var headerLength);
        payload.CopyTo(packet[headerLength..]);
        _sequence = RtpSequence.Next(_sequence);
        PacketsSent++;
        return headerLength + payload.Length;
    }
}
