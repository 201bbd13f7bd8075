using Pbx.Media.Rtp;

namespace Pbx.Media.Tests.Rtp;

public class RtpHeaderTests
{
    [Fact]
    public void Reads_the_fixed_header_fields()
    {
        byte[] packet = [0x80, 0xE0, 0xFF, 0xFE, 0x12, 0x34, 0x56, 0x78, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3];

        Assert.True(RtpHeader.TryRead(packet, out var header));

        Assert.False(header.HasPadding);
        Assert.False(header.HasExtension);
        Assert.Equal(0, header.CsrcCount);
        Assert.True(header.Marker);
        Assert.Equal(96, header.PayloadType);
        Assert.Equal(0xFFFE, header.SequenceNumber);
        Assert.Equal(0x12345678u, header.Timestamp);
        Assert.Equal(0xDEADBEEFu, header.Ssrc);
        Assert.Equal(12, header.HeaderLength);
        Assert.Equal([1, 2, 3], header.GetPayload(packet).ToArray());
    }

    [Fact]
    public void Skips_csrcs_and_extension_and_strips_padding()
    {
        var packet = new List<byte> { 0xB2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
        packet.AddRange([0, 0, 0, 0x11, 0, 0, 0, 0x22]);                   // two CSRCs
        packet.AddRange([0xBE, 0xDE, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD]);       // one-word extension
        packet.AddRange([9, 8, 7]);                                         // payload
        packet.AddRange([0, 0, 3]);                                         // 3 bytes of padding
        var bytes = packet.ToArray();

        Assert.True(RtpHeader.TryRead(bytes, out var header));

        Assert.True(header.HasPadding);
        Assert.True(header.HasExtension);
        Assert.Equal(2, header.CsrcCount);
        Assert.Equal(0x22u, header.GetCsrc(bytes, 1));
        Assert.Equal(0xBEDE, header.ExtensionProfile);
        Assert.Equal([0xAA, 0xBB, 0xCC, 0xDD], header.GetExtension(bytes).ToArray());
        Assert.Equal(28, header.HeaderLength);
        Assert.Equal(3, header.PaddingLength);
        Assert.Equal([9, 8, 7], header.GetPayload(bytes).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 })]                       // too short
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 })]                    // version 1
    [InlineData(new byte[] { 0x81, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 })]                    // CSRC beyond end
    [InlineData(new byte[] { 0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2, 1, 2 })] // extension beyond end
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 0 })]             // zero padding count
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 9 })]             // padding longer than payload
    public void Refuses_malformed_packets(byte[] packet)
    {
        Assert.False(RtpHeader.TryRead(packet, out _));
    }

    [Fact]
    public void Writer_round_trips_through_the_reader()
    {
        var buffer = new byte[64];
        var fields = new RtpHeaderFields(PayloadType: 101, SequenceNumber: 65535, Timestamp: uint.MaxValue, Ssrc: 0x01020304, Marker: true);

        Assert.True(RtpHeaderWriter.TryWrite(buffer, fields, [7u, 8u], out var written));
        Assert.Equal(20, written);
        Assert.True(RtpHeader.TryRead(buffer.AsSpan(0, written + 4), out var header));

        Assert.Equal(101, header.PayloadType);
        Assert.True(header.Marker);
        Assert.Equal(65535, header.SequenceNumber);
        Assert.Equal(uint.MaxValue, header.Timestamp);
        Assert.Equal(0x01020304u, header.Ssrc);
        Assert.Equal(8u, header.GetCsrc(buffer, 1));
        Assert.Equal(4, header.PayloadLength);
    }

    [Fact]
    public void Writer_refuses_small_buffers_and_bad_payload_types()
    {
        Assert.False(RtpHeaderWriter.TryWrite(new byte[11], new RtpHeaderFields(0, 1, 2, 3), out _));
        Assert.False(RtpHeaderWriter.TryWrite(new byte[12], new RtpHeaderFields(128, 1, 2, 3), out _));
    }

    [Fact]
    public void In_place_setters_change_only_their_field()
    {
        var buffer = new byte[12];
        RtpHeaderWriter.TryWrite(buffer, new RtpHeaderFields(0, 10, 20, 30, Marker: true), out _);

        RtpHeaderWriter.SetPayloadType(buffer, 97);
        RtpHeaderWriter.SetSequenceNumber(buffer, 11);
        RtpHeaderWriter.SetTimestamp(buffer, 21);
        RtpHeaderWriter.SetSsrc(buffer, 31);
        RtpHeader.TryRead(buffer, out var header);

        Assert.Equal((97, true, (ushort)11, 21u, 31u), (header.PayloadType, header.Marker, header.SequenceNumber, header.Timestamp, header.Ssrc));
        RtpHeaderWriter.SetMarker(buffer, false);
        RtpHeader.TryRead(buffer, out header);
        Assert.Equal((97, false), (header.PayloadType, header.Marker));
    }
}
