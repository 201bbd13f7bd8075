using System.Net;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Sdp;
using Pbx.Media.Tests.Ports;

namespace Pbx.Media.Tests.Relay;

/// <summary>The whole host flow of MEDIA.md: SDP from two phones on loopback through negotiation to relayed DTMF.</summary>
public class B2buaRelayFlowTests
{
    [Fact]
    public async Task Offer_answer_and_relay_work_together_with_renumbered_telephone_event()
    {
        using var phoneA = new FakePhone();
        using var phoneB = new FakePhone();
        var offerFromA = Parse(
            $"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
            $"m=audio {phoneA.RtpEndPoint.Port} RTP/AVP 8 97\r\na=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-15\r\na=rtcp:{phoneA.RtcpEndPoint.Port}\r\n");

        var negotiation = CodecNegotiator.NegotiateOffer(offerFromA, CodecPolicy.Default);
        Assert.True(negotiation.HasCommonCodec);
        var basePort = FreePortRange.Find(4);
        var factory = new RtpRelaySessionFactory(new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3, BindAddress = IPAddress.Loopback }));
        var creation = factory.Create("flow");
        Assert.True(creation.IsSuccess, creation.Reason);
        await using var session = creation.Session!;
        var endpointA = Endpoint(session, RelayLeg.A);
        var endpointB = Endpoint(session, RelayLeg.B);

        var offerToB = Parse(B2buaSdp.BuildPeerOffer(negotiation, new LocalSdpOrigin(IPAddress.Loopback).Next(), [endpointB]).ToString());
        Assert.Equal(endpointB.RtpPort, offerToB.Media[0].Port);
        var answerFromB = Parse(
            $"v=0\r\no=b 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
            $"m=audio {phoneB.RtpEndPoint.Port} RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=rtcp:{phoneB.RtcpEndPoint.Port}\r\n");
        var answerToA = Parse(B2buaSdp.BuildAnswerForOfferer(negotiation, answerFromB, new LocalSdpOrigin(IPAddress.Loopback).Next(), [endpointA])!.ToString());
        Assert.Equal(["8", "97"], answerToA.Media[0].Formats);

        Assert.True(RemoteMediaEndpoint.TryRead(offerFromA, offerFromA.Media[0], out var remoteA));
        Assert.True(RemoteMediaEndpoint.TryRead(answerFromB, answerFromB.Media[0], out var remoteB));
        session.SetRemote(RelayLeg.A, remoteA.Rtp, remoteA.Rtcp);
        session.SetRemote(RelayLeg.B, remoteB.Rtp, remoteB.Rtcp);
        session.SetPayloadTypeMap(RelayDirection.AToB, PayloadTypeMap.Create(answerToA.Media[0], answerFromB.Media[0]));
        session.SetPayloadTypeMap(RelayDirection.BToA, PayloadTypeMap.Create(offerToB.Media[0], offerFromA.Media[0]));
        session.Start();

        var dtmf = RelayHarness.RtpPacket(1, payloadType: 97, payloadLength: 0);
        var withEvent = new byte[dtmf.Length + TelephoneEvent.Size];
        dtmf.CopyTo(withEvent, 0);
        new TelephoneEvent(5, false, 10, 160).TryWrite(withEvent.AsSpan(dtmf.Length));
        await phoneA.Rtp.SendToAsync(withEvent, new IPEndPoint(IPAddress.Loopback, endpointA.RtpPort));
        var atB = await FakePhone.ReceiveAsync(phoneB.Rtp);
        await phoneB.Rtcp.SendToAsync(RelayHarness.RtcpReceiverReport(7), new IPEndPoint(IPAddress.Loopback, endpointB.RtcpPort));
        var rtcpAtA = await FakePhone.ReceiveAsync(phoneA.Rtcp);

        Assert.NotNull(atB);
        Assert.True(RtpHeader.TryRead(atB.Value.Data, out var header));
        Assert.Equal(101, header.PayloadType);
        Assert.True(TelephoneEvent.TryRead(header.GetPayload(atB.Value.Data), out var received));
        Assert.Equal('5', received.DtmfDigit);
        Assert.NotNull(rtcpAtA);
        Assert.Equal(RelayHarness.RtcpReceiverReport(7), rtcpAtA.Value.Data);
    }

    private static LocalMediaEndpoint Endpoint(RtpRelaySession session, RelayLeg leg)
    {
        var (rtp, rtcp) = session.GetLocalPorts(leg);
        return new LocalMediaEndpoint(IPAddress.Loopback, rtp, rtcp);
    }

    private static SessionDescription Parse(string text)
    {
        var result = SdpParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Description;
    }
}
