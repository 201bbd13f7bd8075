using System.Net;
using Pbx.Media.Negotiation;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Negotiation;

public class B2buaSdpTests
{
    private static readonly IPAddress RelayAddress = IPAddress.Parse("203.0.113.10");
    private static readonly LocalMediaEndpoint LegAEndpoint = new(RelayAddress, 10000);
    private static readonly LocalMediaEndpoint LegBEndpoint = new(RelayAddress, 10002);

    [Fact]
    public void Peer_offer_is_filtered_and_points_at_the_relay()
    {
        var negotiation = CodecNegotiator.NegotiateOffer(NegotiationTestData.Parse(NegotiationTestData.PhoneOffer), CodecPolicy.Default);
        var origin = new LocalSdpOrigin(RelayAddress, "pbx").Next();

        var offer = B2buaSdp.BuildPeerOffer(negotiation, origin, [LegBEndpoint, LegBEndpoint]);
        var reparsed = NegotiationTestData.Parse(offer.ToString());

        Assert.Equal("pbx", reparsed.Origin.Username);
        Assert.Equal("203.0.113.10", reparsed.Origin.UnicastAddress);
        Assert.Equal("203.0.113.10", reparsed.Connection!.Address);
        var audio = reparsed.Media[0];
        Assert.Equal(10002, audio.Port);
        Assert.Equal(["8", "0", "9", "97"], audio.Formats);
        Assert.Empty(audio.Connections);
        Assert.Null(audio.GetRtpMap(18));
        Assert.Null(audio.GetFmtp(18));
        Assert.Null(audio.GetRtpMap(96));
        Assert.Equal("0-15", audio.GetFmtp(97)?.Parameters);
        Assert.Equal(20, audio.Ptime);
        Assert.Equal("keep-me", SdpAttributeList.GetValue(audio.Attributes, "x-vendor"));
        Assert.False(audio.RtcpMux);
        Assert.False(SdpAttributeList.Contains(audio.Attributes, "candidate"));
        Assert.Equal(MediaDirection.SendRecv, audio.ExplicitDirection);
        Assert.True(reparsed.Media[1].IsRejected);
        Assert.Equal(["31"], reparsed.Media[1].Formats);
        Assert.DoesNotContain("198.51.100.7", offer.ToString());
    }

    [Fact]
    public void Legacy_hold_becomes_an_explicit_sendonly_towards_the_peer()
    {
        var phoneHold = NegotiationTestData.PhoneOffer.Replace("c=IN IP4 198.51.100.7", "c=IN IP4 0.0.0.0");
        var negotiation = CodecNegotiator.NegotiateOffer(NegotiationTestData.Parse(phoneHold), CodecPolicy.Default);

        var offer = B2buaSdp.BuildPeerOffer(negotiation, new LocalSdpOrigin(RelayAddress).Next(), [LegBEndpoint]);

        Assert.Equal(MediaDirection.SendOnly, offer.Media[0].ExplicitDirection);
        Assert.Equal("203.0.113.10", offer.Connection!.Address);
    }

    [Fact]
    public void Answer_for_offerer_maps_peer_numbers_back_and_keeps_peer_direction()
    {
        var callerOffer = NegotiationTestData.Parse(NegotiationTestData.PhoneOffer);
        var negotiation = CodecNegotiator.NegotiateOffer(callerOffer, CodecPolicy.Default);
        var peerAnswer = NegotiationTestData.Parse(
            "v=0\r\no=bob 5 5 IN IP4 192.0.2.99\r\ns=peer\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\n" +
            "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-11\r\na=ptime:30\r\na=recvonly\r\n" +
            "m=video 0 RTP/AVP 31\r\n");

        var answer = B2buaSdp.BuildAnswerForOfferer(negotiation, peerAnswer, new LocalSdpOrigin(RelayAddress).Next(), [LegAEndpoint, LegAEndpoint]);

        Assert.NotNull(answer);
        var reparsed = NegotiationTestData.Parse(answer.ToString());
        var audio = reparsed.Media[0];
        Assert.Equal(10000, audio.Port);
        Assert.Equal(["0", "97"], audio.Formats);
        Assert.Equal(new SdpRtpMap(97, "telephone-event", 8000), audio.GetRtpMap(97));
        Assert.Equal("0-11", audio.GetFmtp(97)?.Parameters);
        Assert.Equal(30, audio.Ptime);
        Assert.Equal(MediaDirection.RecvOnly, audio.ExplicitDirection);
        Assert.True(reparsed.Media[1].IsRejected);
        Assert.DoesNotContain("192.0.2.99", answer.ToString());
    }

    [Fact]
    public void Answer_for_offerer_is_null_when_the_peer_rejects_everything()
    {
        var negotiation = CodecNegotiator.NegotiateOffer(NegotiationTestData.Parse(NegotiationTestData.PhoneOffer), CodecPolicy.Default);
        var peerAnswer = NegotiationTestData.Parse("v=0\r\no=- 5 5 IN IP4 192.0.2.99\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\r\nm=video 0 RTP/AVP 31\r\n");

        Assert.Null(B2buaSdp.BuildAnswerForOfferer(negotiation, peerAnswer, new LocalSdpOrigin(RelayAddress).Next(), [LegAEndpoint, LegAEndpoint]));
    }

    [Fact]
    public void Payload_type_maps_follow_each_legs_numbering()
    {
        var sentToA = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 97\r\na=rtpmap:97 telephone-event/8000\r\n").Media[0];
        var fromB = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 101 0\r\na=rtpmap:101 telephone-event/8000\r\n").Media[0];

        var aToB = PayloadTypeMap.Create(sentToA, fromB);
        var bToA = PayloadTypeMap.Create(fromB, sentToA);

        Assert.False(aToB.IsIdentity);
        Assert.Equal(101, aToB.Map(97));
        Assert.Equal(0, aToB.Map(0));
        Assert.Equal(55, aToB.Map(55));
        Assert.Equal(97, bToA.Map(101));
        Assert.True(PayloadTypeMap.Create(sentToA, sentToA).IsIdentity);
    }

    [Fact]
    public void Own_answer_mirrors_direction_and_rejects_unsupported_streams()
    {
        var offer = NegotiationTestData.Parse(NegotiationTestData.PhoneOffer.Replace("a=sendrecv", "a=sendonly"));
        var negotiation = CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default);

        var answer = OfferAnswer.CreateAnswer(negotiation, new LocalSdpOrigin(RelayAddress).Next(), [LegAEndpoint, LegAEndpoint]);

        Assert.NotNull(answer);
        var reparsed = NegotiationTestData.Parse(answer.ToString());
        Assert.Equal(2, reparsed.Media.Count);
        Assert.Equal(["8", "0", "9", "97"], reparsed.Media[0].Formats);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), reparsed.Media[0].GetRtpMap(0));
        Assert.Equal(MediaDirection.RecvOnly, reparsed.Media[0].ExplicitDirection);
        Assert.Equal(10000, reparsed.Media[0].Port);
        Assert.Null(reparsed.Media[0].Rtcp);
        Assert.True(reparsed.Media[1].IsRejected);
    }

    [Fact]
    public void Own_answer_is_null_without_a_common_codec()
    {
        var offer = NegotiationTestData.Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\n");
        var negotiation = CodecNegotiator.NegotiateOffer(offer, CodecPolicy.Default);
        Assert.Null(OfferAnswer.CreateAnswer(negotiation, new LocalSdpOrigin(RelayAddress).Next(), [LegAEndpoint]));
    }

    [Fact]
    public void Rewrite_writes_rtcp_only_when_not_adjacent_and_media_connection_only_when_different()
    {
        var sdp = NegotiationTestData.Parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\na=rtcp:4001\r\nm=audio 4002 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n");

        SdpRewriter.RewriteEndpoints(sdp, [new LocalMediaEndpoint(RelayAddress, 10000, 10005), new LocalMediaEndpoint(IPAddress.IPv6Loopback, 10010)]);

        Assert.Equal("203.0.113.10", sdp.Connection!.Address);
        Assert.Empty(sdp.Media[0].Connections);
        Assert.Equal(10005, sdp.Media[0].Rtcp?.Port);
        Assert.Equal(new SdpConnection("IN", "IP6", "::1"), Assert.Single(sdp.Media[1].Connections));
        Assert.Equal(10010, sdp.Media[1].Port);
        Assert.Null(sdp.Media[1].Rtcp);
    }

    [Fact]
    public void Origin_version_grows_and_session_id_stays()
    {
        var origin = new LocalSdpOrigin(IPAddress.IPv6Loopback);
        var first = origin.Next();
        var second = origin.Next();

        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(first.SessionVersion + 1, second.SessionVersion);
        Assert.Equal("IP6", first.AddressType);
    }
}
