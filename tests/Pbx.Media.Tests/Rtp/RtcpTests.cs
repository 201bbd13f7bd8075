using Pbx.Media.Rtp;

namespace Pbx.Media.Tests.Rtp;

public class RtcpTests
{
    // RR with no report blocks (8 bytes) followed by SDES with one chunk carrying CNAME "ab" (16 bytes).
    private static readonly byte[] Compound =
    [
        0x80, 201, 0, 1, 0, 0, 0, 42,
        0x81, 202, 0, 3, 0, 0, 0, 42, 1, 2, (byte)'a', (byte)'b', 0, 0, 0, 0,
    ];

    [Fact]
    public void Enumerates_packets_of_a_compound_datagram()
    {
        var enumerator = new RtcpCompoundEnumerator(Compound);

        Assert.True(enumerator.MoveNext());
        Assert.Equal((byte)RtcpPacketType.ReceiverReport, enumerator.Current.PacketType);
        Assert.Equal(8, enumerator.Current.LengthInBytes);
        Assert.True(enumerator.MoveNext());
        Assert.Equal((byte)RtcpPacketType.SourceDescription, enumerator.Current.PacketType);
        Assert.Equal(1, enumerator.Current.Count);
        Assert.Equal(16, enumerator.CurrentPacket.Length);
        Assert.False(enumerator.MoveNext());
        Assert.False(enumerator.IsMalformed);

        Span<byte> types = stackalloc byte[4];
        Assert.Equal(2, RtcpPacket.GetPacketTypes(Compound, types));
        Assert.True(RtcpPacket.IsValidCompound(Compound));
        Assert.True(RtcpPacket.TryGetSenderSsrc(Compound, out var ssrc));
        Assert.Equal(42u, ssrc);
    }

    [Fact]
    public void Truncated_or_misordered_compounds_are_invalid()
    {
        Assert.False(RtcpPacket.IsValidCompound(Compound.AsSpan(0, Compound.Length - 4)));
        Assert.False(RtcpPacket.IsValidCompound(Compound.AsSpan(8)));
        Assert.True(RtcpPacket.IsValidCompound(Compound.AsSpan(8), allowReducedSize: true));
        Assert.False(RtcpPacket.IsValidCompound([0x80, 201, 0]));

        var badVersion = (byte[])Compound.Clone();
        badVersion[8] = 0x41;
        Assert.False(RtcpPacket.IsValidCompound(badVersion));

        var paddingNotLast = (byte[])Compound.Clone();
        paddingNotLast[0] |= 0x20;
        Assert.False(RtcpPacket.IsValidCompound(paddingNotLast));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0 }, RtpPacketKind.Rtcp)]
    [InlineData(new byte[] { 0x80, 207, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, RtpPacketKind.Rtcp)]
    [InlineData(new byte[] { 0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, RtpPacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 0xE0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, RtpPacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 0, 0, 1, 0, 0 }, RtpPacketKind.Invalid)]
    [InlineData(new byte[] { 0x00, 200, 0, 1, 0, 0, 0, 1 }, RtpPacketKind.Invalid)]
    public void Classifies_rtp_and_rtcp_per_rfc_5761(byte[] datagram, RtpPacketKind expected)
    {
        Assert.Equal(expected, RtpPacketClassifier.Classify(datagram));
    }
}
