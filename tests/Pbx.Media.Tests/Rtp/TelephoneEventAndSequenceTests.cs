using Pbx.Media.Rtp;

namespace Pbx.Media.Tests.Rtp;

public class TelephoneEventAndSequenceTests
{
    [Fact]
    public void Telephone_event_reads_rfc_4733_layout()
    {
        // Event 11 (#), end bit set, volume 10, duration 1600.
        byte[] payload = [11, 0x8A, 0x06, 0x40];

        Assert.True(TelephoneEvent.TryRead(payload, out var telephoneEvent));

        Assert.Equal(new TelephoneEvent(11, true, 10, 1600), telephoneEvent);
        Assert.Equal('#', telephoneEvent.DtmfDigit);
    }

    [Fact]
    public void Telephone_event_writes_and_ignores_reserved_bit_on_read()
    {
        var buffer = new byte[4];
        Assert.True(new TelephoneEvent(5, false, 63, 65535).TryWrite(buffer));
        Assert.Equal([5, 0x3F, 0xFF, 0xFF], buffer);

        buffer[1] |= 0x40;
        Assert.True(TelephoneEvent.TryRead(buffer, out var read));
        Assert.Equal(new TelephoneEvent(5, false, 63, 65535), read);

        Assert.False(new TelephoneEvent(5, false, 64, 0).TryWrite(buffer));
        Assert.False(new TelephoneEvent(5, false, 1, 0).TryWrite(new byte[3]));
        Assert.False(TelephoneEvent.TryRead([1, 2, 3], out _));
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('d', 15)]
    public void Dtmf_digits_map_to_event_codes(char digit, byte code)
    {
        Assert.True(TelephoneEvent.TryGetEventCode(digit, out var eventCode));
        Assert.Equal(code, eventCode);
        Assert.Equal(char.ToUpperInvariant(digit), new TelephoneEvent(code, false, 0, 0).DtmfDigit);
    }

    [Fact]
    public void Unknown_digits_and_events_are_rejected()
    {
        Assert.False(TelephoneEvent.TryGetEventCode('E', out _));
        Assert.Equal('\0', new TelephoneEvent(16, false, 0, 0).DtmfDigit);
    }

    [Theory]
    [InlineData(65535, 0, 1)]
    [InlineData(0, 65535, -1)]
    [InlineData(100, 200, 100)]
    [InlineData(65500, 10, 46)]
    [InlineData(0, 32767, 32767)]
    [InlineData(0, 32768, -32768)]
    public void Sequence_delta_wraps(ushort from, ushort to, int expected)
    {
        Assert.Equal(expected, RtpSequence.Delta(from, to));
        Assert.Equal(expected > 0, RtpSequence.IsNewer(to, from));
    }

    [Fact]
    public void Timestamp_delta_wraps()
    {
        Assert.Equal(160, RtpSequence.TimestampDelta(uint.MaxValue - 79, 80));
        Assert.Equal(-160, RtpSequence.TimestampDelta(80, uint.MaxValue - 79));
        Assert.True(RtpSequence.IsTimestampNewer(80, uint.MaxValue));
        Assert.Equal((ushort)0, RtpSequence.Next(65535));
    }

    [Fact]
    public void Extended_sequence_counts_wraps_and_places_late_packets()
    {
        var tracker = new ExtendedSequenceTracker();
        var first = tracker.Extend(65534);
        Assert.Equal(first + 1, tracker.Extend(65535));
        Assert.Equal(first + 2, tracker.Extend(0));
        Assert.Equal(first + 4, tracker.Extend(2));
        Assert.Equal(first + 1, tracker.Extend(65535)); // late, from before the wrap
        Assert.Equal(first + 3, tracker.Extend(1));     // late, after the wrap
        Assert.Equal(first + 4, tracker.HighestExtended);
    }
}
