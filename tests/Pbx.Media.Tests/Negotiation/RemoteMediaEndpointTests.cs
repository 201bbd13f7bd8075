using System.Net;
using Pbx.Media.Negotiation;

namespace Pbx.Media.Tests.Negotiation;

public class RemoteMediaEndpointTests
{
    private static bool TryRead(string sessionLines, string mediaLines, out RemoteMediaEndpoint? endpoint)
    {
        var sdp = NegotiationTestData.Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n" + sessionLines + "t=0 0\r\n" + mediaLines);
        return RemoteMediaEndpoint.TryRead(sdp, sdp.Media[0], out endpoint);
    }

    [Fact]
    public void Rtcp_defaults_to_the_next_port()
    {
        Assert.True(TryRead("c=IN IP4 192.0.2.5\r\n", "m=audio 4000 RTP/AVP 0\r\n", out var endpoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.5"), 4000), endpoint!.Rtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.5"), 4001), endpoint.Rtcp);
    }

    [Fact]
    public void Media_level_connection_and_rtcp_attribute_win()
    {
        Assert.True(TryRead("c=IN IP4 192.0.2.5\r\n", "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 2001:db8::7\r\na=rtcp:5000 IN IP4 192.0.2.9\r\n", out var endpoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 4000), endpoint!.Rtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.9"), 5000), endpoint.Rtcp);

        Assert.True(TryRead("c=IN IP4 192.0.2.5\r\n", "m=audio 4000 RTP/AVP 0\r\na=rtcp:4999\r\n", out endpoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.5"), 4999), endpoint!.Rtcp);
    }

    [Theory]
    [InlineData("c=IN IP4 0.0.0.0\r\n", "m=audio 4000 RTP/AVP 0\r\n")]
    [InlineData("c=IN IP4 192.0.2.5\r\n", "m=audio 0 RTP/AVP 0\r\n")]
    [InlineData("c=IN IP4 pbx.example.com\r\n", "m=audio 4000 RTP/AVP 0\r\n")]
    [InlineData("c=IN IP4 224.2.1.1/127\r\n", "m=audio 4000 RTP/AVP 0\r\n")]
    [InlineData("c=IN IP6 ::\r\n", "m=audio 4000 RTP/AVP 0\r\n")]
    public void Unusable_destinations_are_refused(string sessionLines, string mediaLines)
    {
        Assert.False(TryRead(sessionLines, mediaLines, out var endpoint));
        Assert.Null(endpoint);
    }
}
