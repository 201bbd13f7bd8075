using System.Net;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Sdp;

public class SdpParserTests
{
    internal const string FullOffer =
        "v=0\r\n" +
        "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n" +
        "s=SDP Seminar\r\n" +
        "i=A Seminar on the session description protocol\r\n" +
        "u=http://www.example.com/seminars/sdp.pdf\r\n" +
        "e=j.doe@example.com (Jane Doe)\r\n" +
        "p=+1 617 555-6011\r\n" +
        "c=IN IP4 224.2.17.12/127\r\n" +
        "b=CT:128\r\n" +
        "t=2873397496 2873404696\r\n" +
        "r=7d 1h 0 25h\r\n" +
        "z=2882844526 -1h 2898848070 0\r\n" +
        "k=prompt\r\n" +
        "a=recvonly\r\n" +
        "a=x-custom:first\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\n" +
        "i=voice\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "b=AS:64\r\n" +
        "a=x-unknown\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=ptime:20\r\n" +
        "a=maxptime:150\r\n" +
        "a=rtcp:53020 IN IP4 126.16.64.4\r\n" +
        "a=rtcp-mux\r\n" +
        "a=sendonly\r\n" +
        "m=video 0 RTP/AVP 31\r\n" +
        "a=rtpmap:31 H261/90000\r\n";

    [Fact]
    public void Parses_every_session_level_field()
    {
        var result = SdpParser.Parse(FullOffer);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var sdp = result.Description;
        Assert.Equal(0, sdp.Version);
        Assert.Equal("jdoe", sdp.Origin.Username);
        Assert.Equal("2890844526", sdp.Origin.SessionId);
        Assert.Equal(2890842807UL, sdp.Origin.SessionVersion);
        Assert.Equal("10.47.16.5", sdp.Origin.UnicastAddress);
        Assert.Equal("SDP Seminar", sdp.SessionName);
        Assert.Equal("A Seminar on the session description protocol", sdp.Information);
        Assert.Equal("http://www.example.com/seminars/sdp.pdf", sdp.Uri);
        Assert.Equal(["j.doe@example.com (Jane Doe)"], sdp.Emails);
        Assert.Equal(["+1 617 555-6011"], sdp.Phones);
        Assert.Equal(new SdpConnection("IN", "IP4", "224.2.17.12", 127), sdp.Connection);
        Assert.Equal([new SdpBandwidth("CT", 128)], sdp.Bandwidths);
        var timing = Assert.Single(sdp.Timings);
        Assert.Equal(2873397496UL, timing.StartTime);
        Assert.Equal(2873404696UL, timing.StopTime);
        Assert.Equal(["7d 1h 0 25h"], timing.Repeats);
        Assert.Equal("2882844526 -1h 2898848070 0", sdp.TimeZones);
        Assert.Equal("prompt", sdp.EncryptionKey);
        Assert.Equal(MediaDirection.RecvOnly, sdp.Direction);
        Assert.Equal(2, sdp.Media.Count);
    }

    [Fact]
    public void Parses_media_level_fields_and_typed_attributes()
    {
        var sdp = SdpParser.Parse(FullOffer).Description!;
        var audio = sdp.Media[0];

        Assert.Equal("audio", audio.MediaType);
        Assert.Equal(49170, audio.Port);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(["0", "8", "101"], audio.Formats);
        Assert.Equal("voice", audio.Information);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), GetAddress(audio.GetEffectiveConnection(sdp)));
        Assert.Equal([new SdpBandwidth("AS", 64)], audio.Bandwidths);
        Assert.Equal(new SdpRtpMap(101, "telephone-event", 8000), audio.GetRtpMap(101));
        Assert.Equal(3, audio.GetRtpMaps().Count);
        Assert.Equal("0-15", audio.GetFmtp(101)?.Parameters);
        Assert.Null(audio.GetFmtp(0));
        Assert.Equal(20, audio.Ptime);
        Assert.Equal(150, audio.MaxPtime);
        Assert.Equal(new SdpRtcpAttribute(53020, new SdpConnection("IN", "IP4", "126.16.64.4")), audio.Rtcp);
        Assert.True(audio.RtcpMux);
        Assert.Equal(MediaDirection.SendOnly, audio.GetEffectiveDirection(sdp));

        var video = sdp.Media[1];
        Assert.True(video.IsRejected);
        Assert.False(video.RtcpMux);
        Assert.Null(video.Rtcp);
        Assert.Equal(MediaDirection.RecvOnly, video.GetEffectiveDirection(sdp));
        Assert.Equal(IPAddress.Parse("224.2.17.12"), GetAddress(video.GetEffectiveConnection(sdp)));
    }

    [Fact]
    public void Accepts_bare_lf_line_ends_and_trailing_blank_lines()
    {
        var text = FullOffer.Replace("\r\n", "\n") + "\n\n";
        var result = SdpParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(2, result.Description.Media.Count);
        Assert.Equal("SDP Seminar", result.Description.SessionName);
    }

    [Fact]
    public void Parses_ipv6_connection_and_origin()
    {
        const string text = "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        var result = SdpParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal("IP6", result.Description.Connection!.AddressType);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), GetAddress(result.Description.Connection));
    }

    [Fact]
    public void Parses_multicast_suffixes_and_port_count()
    {
        const string text = "v=0\no=- 1 1 IN IP4 host.example.com\ns=-\nc=IN IP4 224.2.1.1/127/3\nt=0 0\nm=audio 49170/2 RTP/AVP 0\nc=IN IP6 ff15::101/3\n";
        var sdp = SdpParser.Parse(text).Description!;
        Assert.Equal(new SdpConnection("IN", "IP4", "224.2.1.1", 127, 3), sdp.Connection);
        Assert.Equal(2, sdp.Media[0].PortCount);
        Assert.Equal(new SdpConnection("IN", "IP6", "ff15::101", null, 3), sdp.Media[0].Connections[0]);
    }

    [Fact]
    public void Direction_defaults_to_sendrecv_and_media_level_overrides_session_level()
    {
        const string text = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\na=inactive\nm=audio 4000 RTP/AVP 0\na=sendrecv\nm=audio 4002 RTP/AVP 0\n";
        var sdp = SdpParser.Parse(text).Description!;
        Assert.Equal(MediaDirection.SendRecv, sdp.Media[0].GetEffectiveDirection(sdp));
        Assert.Equal(MediaDirection.Inactive, sdp.Media[1].GetEffectiveDirection(sdp));
        Assert.Null(sdp.Media[1].ExplicitDirection);

        var plain = SdpParser.Parse(text.Replace("a=inactive\n", "")).Description!;
        Assert.Equal(MediaDirection.SendRecv, plain.Media[1].GetEffectiveDirection(plain));
    }

    [Fact]
    public void Tolerates_extra_spaces_in_structured_fields()
    {
        const string text = "v=0 \r\no=-  1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4  192.0.2.1\r\nb=AS:64 \r\nt=0  0\r\nm=audio  4000 RTP/AVP 0  8 \r\n";
        var result = SdpParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(["0", "8"], result.Description.Media[0].Formats);
        Assert.Equal(64UL, result.Description.Bandwidths[0].Value);
    }

    private static IPAddress? GetAddress(SdpConnection? connection) =>
        connection is not null && connection.TryGetIPAddress(out var address) ? address : null;
}
