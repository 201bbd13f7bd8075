using System.Net;
using System.Net.Sockets;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Sdp;

namespace Pbx.Media.Tests.Relay;

public class RtpRelaySessionTests
{
    [Fact]
    public async Task Packets_flow_both_ways_with_payload_intact_and_counted()
    {
        await using var harness = new RelayHarness();
        var fromA = RelayHarness.RtpPacket(1, fill: 0xA1);
        var fromB = RelayHarness.RtpPacket(7, payloadType: 8, payloadLength: 80, fill: 0xB2);

        await harness.PhoneA.Rtp.SendToAsync(fromA, harness.RelayRtp(RelayLeg.A));
        var atB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
        await harness.PhoneB.Rtp.SendToAsync(fromB, harness.RelayRtp(RelayLeg.B));
        var atA = await FakePhone.ReceiveAsync(harness.PhoneA.Rtp);

        Assert.NotNull(atB);
        Assert.Equal(fromA, atB.Value.Data);
        Assert.Equal(harness.RelayRtp(RelayLeg.B), atB.Value.From);
        Assert.NotNull(atA);
        Assert.Equal(fromB, atA.Value.Data);
        Assert.Equal(harness.RelayRtp(RelayLeg.A), atA.Value.From);

        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpBToA.PacketsRelayed == 1));
        var statistics = harness.Session.GetStatistics();
        Assert.Equal((1, fromA.Length), (statistics.RtpAToB.PacketsRelayed, statistics.RtpAToB.BytesRelayed));
        Assert.Equal((1, fromB.Length), (statistics.RtpBToA.PacketsRelayed, statistics.RtpBToA.BytesRelayed));
        Assert.True(statistics.RtpAToB.HasReceivedPackets);
        Assert.Equal(0, statistics.RtcpAToB.PacketsRelayed);
    }

    [Fact]
    public async Task Destination_latches_to_the_real_source_instead_of_the_sdp_address()
    {
        await using var harness = new RelayHarness(signalRemotes: false);
        using var sdpAddressOfB = FakePhone.Bind();
        harness.Session.SetRemote(RelayLeg.A, harness.PhoneA.RtpEndPoint);
        harness.Session.SetRemote(RelayLeg.B, (IPEndPoint)sdpAddressOfB.LocalEndPoint!);

        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1), harness.RelayRtp(RelayLeg.A));
        Assert.NotNull(await FakePhone.ReceiveAsync(sdpAddressOfB));
        Assert.False(harness.Session.IsLatched(RelayLeg.B));

        // B's packets really come from another address (e.g. behind NAT): the relay must follow them.
        await harness.PhoneB.Rtp.SendToAsync(RelayHarness.RtpPacket(100), harness.RelayRtp(RelayLeg.B));
        Assert.NotNull(await FakePhone.ReceiveAsync(harness.PhoneA.Rtp));
        Assert.Equal(harness.PhoneB.RtpEndPoint, harness.Session.GetLatchedSource(RelayLeg.B));
        Assert.Equal(harness.PhoneB.RtpEndPoint, harness.Session.GetDestination(RelayLeg.B));

        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(2), harness.RelayRtp(RelayLeg.A));
        var atB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
        Assert.NotNull(atB);
        Assert.Equal(2, RtpSequenceOf(atB.Value.Data));
        Assert.Null(await FakePhone.ReceiveAsync(sdpAddressOfB, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Latched_leg_ignores_a_hijacking_second_source_until_relatch()
    {
        await using var harness = new RelayHarness();
        using var intruder = FakePhone.Bind();
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1), harness.RelayRtp(RelayLeg.A));
        Assert.NotNull(await FakePhone.ReceiveAsync(harness.PhoneB.Rtp));

        await intruder.SendToAsync(RelayHarness.RtpPacket(999, fill: 0xEE), harness.RelayRtp(RelayLeg.A));
        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpAToB.DroppedUnexpectedSource == 1));
        Assert.Null(await FakePhone.ReceiveAsync(harness.PhoneB.Rtp, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(harness.PhoneA.RtpEndPoint, harness.Session.GetLatchedSource(RelayLeg.A));

        await harness.PhoneB.Rtp.SendToAsync(RelayHarness.RtpPacket(5), harness.RelayRtp(RelayLeg.B));
        Assert.NotNull(await FakePhone.ReceiveAsync(harness.PhoneA.Rtp));
        Assert.Null(await FakePhone.ReceiveAsync(intruder, TimeSpan.FromMilliseconds(200)));

        // After a re-INVITE the phone may legitimately move: the next source latches.
        harness.Session.Relatch(RelayLeg.A);
        Assert.False(harness.Session.IsLatched(RelayLeg.A));
        await intruder.SendToAsync(RelayHarness.RtpPacket(1000), harness.RelayRtp(RelayLeg.A));
        Assert.NotNull(await FakePhone.ReceiveAsync(harness.PhoneB.Rtp));
        Assert.Equal((IPEndPoint)intruder.LocalEndPoint!, harness.Session.GetLatchedSource(RelayLeg.A));
        await harness.PhoneB.Rtp.SendToAsync(RelayHarness.RtpPacket(6), harness.RelayRtp(RelayLeg.B));
        Assert.NotNull(await FakePhone.ReceiveAsync(intruder));
    }

    [Fact]
    public async Task Rtcp_is_relayed_and_latched_separately()
    {
        await using var harness = new RelayHarness();
        var report = RelayHarness.RtcpReceiverReport(42);

        await harness.PhoneA.Rtcp.SendToAsync(report, harness.RelayRtcp(RelayLeg.A));
        var atB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtcp);

        Assert.NotNull(atB);
        Assert.Equal(report, atB.Value.Data);
        Assert.Equal(harness.RelayRtcp(RelayLeg.B), atB.Value.From);
        Assert.True(harness.Session.IsLatched(RelayLeg.A, RelayStreamKind.Rtcp));
        Assert.False(harness.Session.IsLatched(RelayLeg.A, RelayStreamKind.Rtp));
        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtcpAToB.PacketsRelayed == 1));
    }

    [Fact]
    public async Task Malformed_packets_are_dropped_and_do_not_latch()
    {
        await using var harness = new RelayHarness();
        var notRtp = RelayHarness.RtpPacket(1);
        notRtp[0] = 0x40;                                       // version 1
        var rtcpOnRtpPort = RelayHarness.RtcpReceiverReport(1);  // no rtcp-mux negotiated
        var tooShort = new byte[] { 0x80, 0, 1 };

        foreach (var datagram in new[] { notRtp, rtcpOnRtpPort, tooShort })
            await harness.PhoneA.Rtp.SendToAsync(datagram, harness.RelayRtp(RelayLeg.A));
        await harness.PhoneA.Rtcp.SendToAsync(RelayHarness.RtpPacket(1)[..6], harness.RelayRtcp(RelayLeg.A));

        Assert.True(await RelayHarness.WaitUntilAsync(() =>
            harness.Session.GetStatistics() is { RtpAToB.DroppedInvalid: 3, RtcpAToB.DroppedInvalid: 1 }));
        Assert.False(harness.Session.IsLatched(RelayLeg.A));
        Assert.Null(await FakePhone.ReceiveAsync(harness.PhoneB.Rtp, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Oversized_datagrams_are_dropped()
    {
        await using var harness = new RelayHarness(new RtpRelayOptions { MaxDatagramSize = 256 });
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1, payloadLength: 400), harness.RelayRtp(RelayLeg.A));
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(2, payloadLength: 100), harness.RelayRtp(RelayLeg.A));

        var atB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
        Assert.NotNull(atB);
        Assert.Equal(2, RtpSequenceOf(atB.Value.Data));
        Assert.Equal(1, harness.Session.GetStatistics().RtpAToB.DroppedInvalid);
    }

    [Fact]
    public async Task Packets_without_a_destination_are_counted_not_sent()
    {
        await using var harness = new RelayHarness(signalRemotes: false);
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1), harness.RelayRtp(RelayLeg.A));

        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpAToB.DroppedNoDestination == 1));
        var statistics = harness.Session.GetStatistics().RtpAToB;
        Assert.Equal(1, statistics.PacketsReceived);
        Assert.Equal(0, statistics.PacketsRelayed);
        Assert.True(harness.Session.IsLatched(RelayLeg.A));
    }

    [Fact]
    public async Task Payload_types_are_rewritten_per_direction()
    {
        await using var harness = new RelayHarness();
        var sentToA = ParseMedia("m=audio 4000 RTP/AVP 0 97\r\na=rtpmap:97 telephone-event/8000\r\n");
        var fromB = ParseMedia("m=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
        harness.Session.SetPayloadTypeMap(RelayDirection.AToB, PayloadTypeMap.Create(sentToA, fromB));
        harness.Session.SetPayloadTypeMap(RelayDirection.BToA, PayloadTypeMap.Create(fromB, sentToA));

        var dtmf = RelayHarness.RtpPacket(1, payloadType: 97, payloadLength: 4);
        RtpHeaderWriter.SetMarker(dtmf, true);
        await harness.PhoneA.Rtp.SendToAsync(dtmf, harness.RelayRtp(RelayLeg.A));
        var atB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
        await harness.PhoneB.Rtp.SendToAsync(RelayHarness.RtpPacket(1, payloadType: 101, payloadLength: 4), harness.RelayRtp(RelayLeg.B));
        var atA = await FakePhone.ReceiveAsync(harness.PhoneA.Rtp);
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(2, payloadType: 0), harness.RelayRtp(RelayLeg.A));
        var audioAtB = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);

        Assert.True(RtpHeader.TryRead(atB!.Value.Data, out var bHeader));
        Assert.Equal((101, true), (bHeader.PayloadType, bHeader.Marker));
        Assert.True(RtpHeader.TryRead(atA!.Value.Data, out var aHeader));
        Assert.Equal(97, aHeader.PayloadType);
        Assert.True(RtpHeader.TryRead(audioAtB!.Value.Data, out var audioHeader));
        Assert.Equal(0, audioHeader.PayloadType);
    }

    [Fact]
    public async Task Stopping_releases_both_port_pairs()
    {
        var harness = new RelayHarness();
        var ports = new[] { harness.Session.GetLocalPorts(RelayLeg.A), harness.Session.GetLocalPorts(RelayLeg.B) };
        Assert.Equal(2, harness.Allocator.InUseCount);

        await harness.DisposeAsync();
        await harness.Session.StopAsync();

        Assert.Equal(0, harness.Allocator.InUseCount);
        foreach (var (rtp, rtcp) in ports)
        {
            using var rtpRebind = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            rtpRebind.Bind(new IPEndPoint(IPAddress.Loopback, rtp));
            using var rtcpRebind = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            rtcpRebind.Bind(new IPEndPoint(IPAddress.Loopback, rtcp));
        }
        Assert.Throws<ObjectDisposedException>(() => harness.Session.Start());
    }

    private static int RtpSequenceOf(byte[] packet) => RtpHeader.TryRead(packet, out var header) ? header.SequenceNumber : -1;

    private static MediaDescription ParseMedia(string mediaLines) =>
        SdpParser.Parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + mediaLines).Description!.Media[0];
}
