using Pbx.Media.Dtmf;
using Pbx.Media.Rtp;

namespace Pbx.Media.Tests.Dtmf;

public sealed class TelephoneEventReceiverTests
{
    [Fact]
    public void One_digit_per_event_despite_updates_and_triple_end_packets()
    {
        var receiver = new TelephoneEventReceiver();
        var digits = Feed(receiver,
            (1000, true, 5, false, 160), (1000, false, 5, false, 320), (1000, false, 5, false, 480),
            (1000, false, 5, true, 640), (1000, false, 5, true, 640), (1000, false, 5, true, 640),
            (2000, true, 11, false, 160), (2000, false, 11, true, 800), (2000, false, 11, true, 800));
        Assert.Equal("5#", digits);
        Assert.Equal(7, receiver.DuplicatePackets);
    }

    [Fact]
    public void Same_digit_pressed_twice_is_two_events()
    {
        Assert.Equal("11", Feed(new TelephoneEventReceiver(), (100, true, 1, false, 160), (100, false, 1, true, 400), (900, true, 1, false, 160), (900, false, 1, true, 400)));
    }

    [Fact]
    public void A_lost_start_packet_still_yields_the_digit_from_the_end_packets()
    {
        Assert.Equal("9", Feed(new TelephoneEventReceiver(), (500, false, 9, true, 800), (500, false, 9, true, 800)));
    }

    [Fact]
    public void Late_packets_of_an_earlier_event_are_ignored()
    {
        Assert.Equal("12", Feed(new TelephoneEventReceiver(), (100, true, 1, false, 160), (900, true, 2, false, 160), (100, false, 1, true, 400)));
    }

    [Fact]
    public void Long_event_segments_without_marker_are_one_key_press()
    {
        // RFC 4733 §2.5.1.3: after 0xFFFF timestamp units the event continues with a new timestamp and no marker.
        Assert.Equal("0", Feed(new TelephoneEventReceiver(), (0, true, 0, false, 65535), (65535, false, 0, false, 1000), (65535, false, 0, true, 2000)));
    }

    [Fact]
    public void Non_dtmf_events_and_short_payloads_are_ignored()
    {
        var receiver = new TelephoneEventReceiver();
        var header = new RtpHeader { Timestamp = 1, Ssrc = 1, Marker = true };
        Assert.False(receiver.TryAccept(header, [16, 0x0A, 0, 160], out _)); // event 16 is not DTMF
        Assert.False(receiver.TryAccept(header, [1, 0x0A], out _));
    }

    private static string Feed(TelephoneEventReceiver receiver, params (uint Timestamp, bool Marker, byte Code, bool End, ushort Duration)[] packets)
    {
        var digits = "";
        Span<byte> payload = stackalloc byte[4];
        foreach (var packet in packets)
        {
            new TelephoneEvent(packet.Code, packet.End, 10, packet.Duration).TryWrite(payload);
            var header = new RtpHeader { Timestamp = packet.Timestamp, Marker = packet.Marker, Ssrc = 0xABCD, PayloadType = 101 };
            if (receiver.TryAccept(header, payload, out var digit)) digits += digit;
        }
        return digits;
    }
}
