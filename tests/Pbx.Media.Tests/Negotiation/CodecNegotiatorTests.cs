using Pbx.Media.Negotiation;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Negotiation;

public class CodecNegotiatorTests
{
    [Fact]
    public void Intersection_keeps_the_offerers_order_and_numbers()
    {
        var offer = NegotiationTestData.Parse(NegotiationTestData.PhoneOffer);
        var negotiation = CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default);

        var audio = negotiation.Streams[0];
        Assert.True(audio.IsAccepted);
        Assert.Equal([8, 0, 9, 97], audio.Formats.Select(f => f.PayloadType));
        Assert.Equal([AudioCodec.Pcma, AudioCodec.Pcmu, AudioCodec.G722, AudioCodec.TelephoneEvent], audio.Formats.Select(f => f.Codec));
        Assert.Equal("0-15", audio.Formats[3].Fmtp);
        Assert.False(negotiation.Streams[1].IsAccepted);
        Assert.True(negotiation.HasCommonCodec);
    }

    [Fact]
    public void Policy_restricts_the_allowed_codecs()
    {
        var offer = NegotiationTestData.Parse(NegotiationTestData.PhoneOffer);
        var policy = new CodecPolicy([AudioCodec.G722, AudioCodec.Pcmu], AllowTelephoneEvent: false);

        var formats = CodecNegotiator.Intersect(offer.Media[0], policy);

        Assert.Equal([0, 9], formats.Select(f => f.PayloadType));
    }

    [Fact]
    public void No_common_codec_is_detected()
    {
        var offer = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
            "m=audio 4000 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\n");

        var negotiation = CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default);

        Assert.False(negotiation.HasCommonCodec);
        Assert.Empty(negotiation.Streams[0].Formats);
    }

    [Theory]
    [InlineData("RTP/SAVP")]
    [InlineData("UDP/TLS/RTP/SAVPF")]
    public void Secure_profiles_are_not_accepted(string protocol)
    {
        var offer = NegotiationTestData.Parse(
            $"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 {protocol} 0\r\n");
        Assert.False(CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default).HasCommonCodec);
    }

    [Fact]
    public void Static_payload_types_resolve_without_rtpmap_and_dynamic_ones_do_not()
    {
        var media = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 9 100\r\n").Media[0];

        Assert.True(CodecCatalogue.TryResolve(media, 0, out var pcmu));
        Assert.Same(AudioCodec.Pcmu, pcmu);
        Assert.True(CodecCatalogue.TryResolve(media, 9, out var g722));
        Assert.Equal(8000, g722.ClockRate);
        Assert.Equal(16000, g722.AudioSampleRate);
        Assert.False(CodecCatalogue.TryResolve(media, 100, out _));
        Assert.False(CodecCatalogue.TryResolve(media, 3, out _));
    }

    [Fact]
    public void Rtpmap_overrides_the_static_assignment_and_is_case_insensitive()
    {
        var media = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 110\r\na=rtpmap:0 pcma/8000\r\na=rtpmap:110 TELEPHONE-EVENT/8000\r\n").Media[0];

        var formats = CodecNegotiator.Intersect(media, CodecPolicy.Default);

        Assert.Equal(AudioCodec.Pcma, formats[0].Codec);
        Assert.Equal(AudioCodec.TelephoneEvent, formats[1].Codec);
        Assert.Equal("0-15", formats[1].Fmtp);
    }

    [Fact]
    public void Telephone_event_with_a_different_clock_or_no_dtmf_events_is_dropped()
    {
        var media = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101 102\r\n" +
            "a=rtpmap:101 telephone-event/48000\r\na=rtpmap:102 telephone-event/8000\r\na=fmtp:102 32-40\r\n").Media[0];

        var formats = CodecNegotiator.Intersect(media, CodecPolicy.Default);

        Assert.Equal([0], formats.Select(f => f.PayloadType));
    }

    [Theory]
    [InlineData("0-15", "0-15")]
    [InlineData("0-16,32", "0-15")]
    [InlineData("1,3-5,11", "1,3-5,11")]
    public void Telephone_event_ranges_parse_and_intersect(string offered, string expected)
    {
        Assert.True(TelephoneEventRange.TryParse(offered, out var range));
        Assert.Equal(expected, range.Intersect(TelephoneEventRange.DtmfOnly).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("5-3")]
    [InlineData("0-300")]
    [InlineData("a-b")]
    public void Malformed_telephone_event_ranges_are_refused(string text)
    {
        Assert.False(TelephoneEventRange.TryParse(text, out _));
    }
}
