using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Negotiation;

internal static class NegotiationTestData
{
    public const string PhoneOffer =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 198.51.100.7\r\n" +
        "s=call\r\n" +
        "c=IN IP4 198.51.100.7\r\n" +
        "t=0 0\r\n" +
        "m=audio 40000 RTP/AVP 18 8 0 9 96 97\r\n" +
        "a=rtpmap:18 G729/8000\r\n" +
        "a=fmtp:18 annexb=no\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:9 G722/8000\r\n" +
        "a=rtpmap:96 opus/48000/2\r\n" +
        "a=rtpmap:97 telephone-event/8000\r\n" +
        "a=fmtp:97 0-16\r\n" +
        "a=ptime:20\r\n" +
        "a=x-vendor:keep-me\r\n" +
        "a=rtcp-mux\r\n" +
        "a=candidate:1 1 UDP 2130706431 198.51.100.7 40000 typ host\r\n" +
        "a=sendrecv\r\n" +
        "m=video 40002 RTP/AVP 31\r\n";

    public static SessionDescription Parse(string text)
    {
        var result = SdpParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Description;
    }
}
