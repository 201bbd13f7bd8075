using System.Net;
using Pbx.Media.Negotiation;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Negotiation;

public class OwnOfferTests
{
    [Fact]
    public void Own_offer_lists_policy_codecs_in_order_and_parses_back()
    {
        var policy = new CodecPolicy([AudioCodec.G722, AudioCodec.Pcma], TelephoneEventPayloadType: 100);
        var offer = OfferAnswer.CreateOffer(policy, new LocalSdpOrigin(IPAddress.Loopback).Next(), new LocalMediaEndpoint(IPAddress.Loopback, 12000), MediaDirection.SendOnly);

        var reparsed = NegotiationTestData.Parse(offer.ToString());
        var audio = Assert.Single(reparsed.Media);
        Assert.Equal(["9", "8", "100"], audio.Formats);
        Assert.Equal(new SdpRtpMap(100, "telephone-event", 8000), audio.GetRtpMap(100));
        Assert.Equal("0-15", audio.GetFmtp(100)?.Parameters);
        Assert.Equal(20, audio.Ptime);
        Assert.Equal(12000, audio.Port);
        Assert.Equal(MediaDirection.SendOnly, audio.ExplicitDirection);
        Assert.Equal("127.0.0.1", reparsed.Connection!.Address);

        // Our own offer must pass our own negotiation.
        Assert.True(CodecNegotiator.NegotiateOffer(reparsed, policy).HasCommonCodec);
    }

    [Fact]
    public void Telephone_event_payload_type_must_be_dynamic()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecPolicy([AudioCodec.Pcmu], TelephoneEventPayloadType: 8));
    }
}
