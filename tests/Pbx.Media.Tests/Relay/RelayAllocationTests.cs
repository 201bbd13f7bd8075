using System.Net;
using System.Net.Sockets;
using Pbx.Media.Relay;
using Xunit.Abstractions;

namespace Pbx.Media.Tests.Relay;

[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

/// <summary>
/// Counts bytes allocated by the whole process while packets are relayed. GC.GetAllocatedBytesForCurrentThread
/// would miss the relay's thread-pool loops, so the process total is used and the test runs alone.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public class RelayAllocationTests(ITestOutputHelper output)
{
    private const int WarmupPackets = 300;
    private const int MeasuredPackets = 3000;
    // The smallest object on 64-bit .NET is 24 bytes, so an average below that means no object is allocated per
    // packet; what remains is the test host's own background work, which is why the best of three rounds counts.
    private const double MaxBytesPerPacket = 23;
    private const int Rounds = 3;

    [Fact]
    public async Task Relaying_a_packet_allocates_next_to_nothing()
    {
        await using var harness = new RelayHarness();
        var packet = RelayHarness.RtpPacket(1);
        var receiveBuffer = new byte[2048];
        var relayA = harness.RelayRtp(RelayLeg.A).Serialize();
        var relayB = harness.RelayRtp(RelayLeg.B).Serialize();
        var from = new SocketAddress(AddressFamily.InterNetwork);
        harness.PhoneA.Rtp.ReceiveTimeout = 5000;
        harness.PhoneB.Rtp.ReceiveTimeout = 5000;

        // The test's own sockets use the synchronous SocketAddress overloads, and the loop avoids Assert (whose
        // comparers allocate), so that only the relay's allocations are counted.
        var wrongSizes = 0;
        void RoundTrip()
        {
            harness.PhoneA.Rtp.SendTo(packet, SocketFlags.None, relayA);
            if (harness.PhoneB.Rtp.ReceiveFrom(receiveBuffer, SocketFlags.None, from) != packet.Length) wrongSizes++;
            harness.PhoneB.Rtp.SendTo(packet, SocketFlags.None, relayB);
            if (harness.PhoneA.Rtp.ReceiveFrom(receiveBuffer, SocketFlags.None, from) != packet.Length) wrongSizes++;
        }

        for (var i = 0; i < WarmupPackets; i++) RoundTrip();
        var best = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < MeasuredPackets; i++) RoundTrip();
            var after = GC.GetTotalAllocatedBytes(precise: true);
            var perPacket = (after - before) / (2.0 * MeasuredPackets);
            output.WriteLine($"round {round}: {after - before} bytes for {2 * MeasuredPackets} relayed packets: {perPacket:F2} bytes/packet");
            best = Math.Min(best, perPacket);
        }

        Assert.Equal(0, wrongSizes);
        Assert.InRange(best, 0, MaxBytesPerPacket);
        Assert.Equal(WarmupPackets + Rounds * MeasuredPackets, harness.Session.GetStatistics().RtpBToA.PacketsReceived);
    }
}
