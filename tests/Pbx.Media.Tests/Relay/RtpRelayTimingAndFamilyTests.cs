using System.Net;
using System.Net.Sockets;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Tests.Ports;

namespace Pbx.Media.Tests.Relay;

public class RtpRelayTimingAndFamilyTests
{
    [Fact]
    public async Task Idle_time_follows_the_virtual_clock_and_resets_on_packets()
    {
        var clock = new ManualTimeProvider();
        await using var harness = new RelayHarness(new RtpRelayOptions { TimeProvider = clock });

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), harness.Session.GetRtpIdleTime(RelayDirection.AToB));
        Assert.False(harness.Session.GetStatistics().RtpAToB.HasReceivedPackets);

        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1), harness.RelayRtp(RelayLeg.A));
        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpAToB.HasReceivedPackets));
        Assert.Equal(TimeSpan.Zero, harness.Session.GetRtpIdleTime(RelayDirection.AToB));

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), harness.Session.GetRtpIdleTime(RelayDirection.AToB));
        Assert.Equal(TimeSpan.FromSeconds(35), harness.Session.GetRtpIdleTime(RelayDirection.BToA));
    }

    [Fact]
    public async Task Relays_over_ipv6_loopback()
    {
        var basePort = FreePortRange.Find(4);
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3, BindAddress = IPAddress.IPv6Loopback });
        var legA = allocator.Allocate();
        var legB = allocator.Allocate();
        Assert.True(legA.IsSuccess && legB.IsSuccess, legA.Reason ?? legB.Reason);
        await using var session = new RtpRelaySession("v6", legA.Lease!, legB.Lease!);
        using var phoneA = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        using var phoneB = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        phoneA.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        phoneB.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        session.SetRemote(RelayLeg.B, (IPEndPoint)phoneB.LocalEndPoint!);
        session.Start();

        var packet = RelayHarness.RtpPacket(9);
        await phoneA.SendToAsync(packet, new IPEndPoint(IPAddress.IPv6Loopback, session.GetLocalPorts(RelayLeg.A).RtpPort));
        var received = await FakePhone.ReceiveAsync(phoneB);

        Assert.NotNull(received);
        Assert.Equal(packet, received.Value.Data);
        Assert.Equal((IPEndPoint)phoneA.LocalEndPoint!, session.GetLatchedSource(RelayLeg.A));
    }
}
