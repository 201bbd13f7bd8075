using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Sdp;

public class SdpRoundTripTests
{
    [Fact]
    public void Canonical_description_round_trips_byte_for_byte()
    {
        var sdp = SdpParser.Parse(SdpParserTests.FullOffer).Description!;
        Assert.Equal(SdpParserTests.FullOffer, SdpSerializer.Serialize(sdp));
    }

    [Fact]
    public void Bare_lf_input_is_written_back_with_crlf()
    {
        var sdp = SdpParser.Parse(SdpParserTests.FullOffer.Replace("\r\n", "\n")).Description!;
        Assert.Equal(SdpParserTests.FullOffer, sdp.ToString());
    }

    [Fact]
    public void Unknown_attributes_keep_their_order_and_values()
    {
        const string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
                            "a=x-z\r\na=group:BUNDLE 0\r\nm=audio 4000 RTP/AVP 0\r\na=x-b:1\r\na=rtpmap:0 PCMU/8000\r\na=x-a:with:colons and spaces\r\na=ssrc:1 cname:abc\r\n";
        var sdp = SdpParser.Parse(text).Description!;

        Assert.Equal(["x-b", "rtpmap", "x-a", "ssrc"], sdp.Media[0].Attributes.Select(a => a.Name));
        Assert.Equal("with:colons and spaces", sdp.Media[0].Attributes[2].Value);
        Assert.Equal(text, SdpSerializer.Serialize(sdp));
    }

    [Fact]
    public void Setting_direction_replaces_the_existing_attribute_in_place()
    {
        const string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=x-1\r\na=sendonly\r\na=x-2\r\n";
        var sdp = SdpParser.Parse(text).Description!;

        sdp.Media[0].SetDirection(MediaDirection.RecvOnly);

        Assert.Equal(text.Replace("sendonly", "recvonly"), sdp.ToString());
    }

    [Fact]
    public void Clone_is_independent_of_the_original()
    {
        var original = SdpParser.Parse(SdpParserTests.FullOffer).Description!;
        var copy = original.Clone();

        copy.Origin.SessionVersion++;
        copy.Media[0].Port = 1234;
        copy.Media[0].Formats.RemoveAt(0);
        copy.Attributes.Clear();

        Assert.Equal(SdpParserTests.FullOffer, original.ToString());
        Assert.NotEqual(original.ToString(), copy.ToString());
    }

    [Fact]
    public void Typed_setters_write_ptime_and_rtcp()
    {
        const string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        var sdp = SdpParser.Parse(text).Description!;
        sdp.Media[0].Ptime = 30;
        sdp.Media[0].Rtcp = new SdpRtcpAttribute(4001);

        var reparsed = SdpParser.Parse(sdp.ToString()).Description!;
        Assert.Equal(30, reparsed.Media[0].Ptime);
        Assert.Equal(4001, reparsed.Media[0].Rtcp?.Port);

        reparsed.Media[0].Ptime = null;
        Assert.Null(reparsed.Media[0].Ptime);
    }
}
