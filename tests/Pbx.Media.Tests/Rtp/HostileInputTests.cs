using Pbx.Media.Rtp;
using Pbx.Media.Sdp;
using Pbx.Media.Tests.Sdp;

namespace Pbx.Media.Tests.Rtp;

public class HostileInputTests
{
    [Fact]
    public void Random_datagrams_never_throw_from_packet_readers()
    {
        var random = new Random(4242);
        var buffer = new byte[64];
        for (var i = 0; i < 20000; i++)
        {
            var length = random.Next(0, buffer.Length + 1);
            random.NextBytes(buffer);
            if (i % 2 == 0) buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F)); // version 2 half of the time, to go deeper
            var datagram = buffer.AsSpan(0, length);

            if (RtpHeader.TryRead(datagram, out var header))
            {
                Assert.InRange(header.HeaderLength + header.PayloadLength + header.PaddingLength, 12, length);
                Assert.Equal(header.PayloadLength, header.GetPayload(datagram).Length);
            }
            RtcpPacket.IsValidCompound(datagram);
            RtpPacketClassifier.Classify(datagram);
            TelephoneEvent.TryRead(datagram, out _);
        }
    }

    [Fact]
    public void Mutated_descriptions_never_throw_from_the_parser()
    {
        var random = new Random(777);
        var original = SdpParserTests.FullOffer.ToCharArray();
        var replacements = "=: /\r\n0a9.-".ToCharArray();
        var parsed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var text = (char[])original.Clone();
            for (var m = random.Next(1, 4); m > 0; m--) text[random.Next(text.Length)] = replacements[random.Next(replacements.Length)];
            var result = SdpParser.Parse(new string(text));
            Assert.True(result.IsSuccess ^ result.Error is not null);
            if (!result.IsSuccess) continue;
            parsed++;
            // Whatever parses must serialise to something that parses again.
            Assert.True(SdpParser.Parse(result.Description.ToString()).IsSuccess);
        }
        Assert.True(parsed > 0);
    }
}
