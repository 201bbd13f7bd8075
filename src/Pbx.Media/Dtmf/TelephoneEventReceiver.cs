using Pbx.Media.Rtp;

namespace Pbx.Media.Dtmf;

/// <summary>
/// Turns RFC 4733 telephone-event packets into one digit per key press. All packets of one event share its RTP
/// timestamp (§2.5.1.2) and the end packet is usually sent three times (§2.5.1.4), so an event is reported once,
/// on its first packet seen, and later packets with the same timestamp are ignored. A long event split into
/// segments (§2.5.1.3) carries new timestamps but no marker while the previous segment has not ended; such a
/// continuation is not a new key press. Packets older than the last event are late duplicates. Not thread-safe.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private bool _hasEvent;
    private uint _ssrc;
    private uint _timestamp;
    private byte _eventCode;
    private bool _ended;

    /// <summary>Number of packets that did not start a new digit (continuations, end retransmissions, late packets).</summary>
    public long DuplicatePackets { get; private set; }

    /// <summary>Returns true with the digit when <paramref name="payload"/> starts a new DTMF event.</summary>
    public bool TryAccept(in RtpHeader header, ReadOnlySpan<byte> payload, out char digit)
    {
        digit = '\0';
        if (!TelephoneEvent.TryRead(payload, out var telephoneEvent) || telephoneEvent.DtmfDigit == '\0') return false;

        var sameStream = _hasEvent && header.Ssrc == _ssrc;
        if (sameStream && header.Timestamp == _timestamp)
        {
            _ended |= telephoneEvent.IsEnd;
            DuplicatePackets++;
            return false;
        }
        if (sameStream && !RtpSequence.IsTimestampNewer(header.Timestamp, _timestamp))
        {
            DuplicatePackets++;
            return false;
        }
        var continuation = sameStream && !_ended && !header.Marker && telephoneEvent.EventCode == _eventCode;

        _hasEvent = true;
        _ssrc = header.Ssrc;
        _timestamp = header.Timestamp;
        _eventCode = telephoneEvent.EventCode;
        _ended = telephoneEvent.IsEnd;
        if (continuation)
        {
            DuplicatePackets++;
            return false;
        }
        digit = telephoneEvent.DtmfDigit;
        return true;
    }

    public void Reset()
    {
        _hasEvent = false;
        _ended = false;
        DuplicatePackets = 0;
    }
}
