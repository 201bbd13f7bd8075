using Pbx.Media.Negotiation;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Negotiation;

public class HoldDetectionTests
{
    private static SessionDescription Offer(string connection, string sessionAttributes, string mediaAttributes) => NegotiationTestData.Parse(
        $"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN {connection}\r\nt=0 0\r\n{sessionAttributes}m=audio 4000 RTP/AVP 0\r\n{mediaAttributes}");

    [Theory]
    [InlineData("IP4 192.0.2.1", "", "", false, MediaDirection.SendRecv)]
    [InlineData("IP4 192.0.2.1", "", "a=sendonly\r\n", true, MediaDirection.RecvOnly)]
    [InlineData("IP4 192.0.2.1", "", "a=inactive\r\n", true, MediaDirection.Inactive)]
    [InlineData("IP4 192.0.2.1", "", "a=recvonly\r\n", false, MediaDirection.SendOnly)]
    [InlineData("IP4 192.0.2.1", "a=sendonly\r\n", "", true, MediaDirection.RecvOnly)]
    [InlineData("IP4 192.0.2.1", "a=sendonly\r\n", "a=sendrecv\r\n", false, MediaDirection.SendRecv)]
    [InlineData("IP4 0.0.0.0", "", "", true, MediaDirection.RecvOnly)]
    [InlineData("IP4 0.0.0.0", "", "a=recvonly\r\n", true, MediaDirection.Inactive)]
    [InlineData("IP6 ::", "", "", true, MediaDirection.RecvOnly)]
    public void Hold_and_mirrored_direction(string connection, string sessionAttributes, string mediaAttributes, bool expectedHold, MediaDirection expectedAnswer)
    {
        var offer = Offer(connection, sessionAttributes, mediaAttributes);

        Assert.Equal(expectedHold, HoldDetection.IsHold(offer));
        var negotiation = CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default);
        Assert.Equal(expectedAnswer, negotiation.Streams[0].AnswerDirection);
    }

    [Fact]
    public void Rejected_stream_is_not_hold()
    {
        var offer = NegotiationTestData.Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=inactive\r\n");
        Assert.False(HoldDetection.IsHold(offer));
    }
}
