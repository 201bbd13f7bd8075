using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Ports;

namespace Pbx.Media.Tests.Ports;

public class RtpPortAllocatorTests
{
    private static RtpPortAllocator CreateAllocator(int basePort, int count) =>
        new(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + count - 1, BindAddress = IPAddress.Loopback });

    [Fact]
    public void Defaults_are_10000_to_20000()
    {
        var options = new RtpPortAllocatorOptions();
        Assert.Equal((10000, 20000), (options.MinPort, options.MaxPort));
        Assert.Equal(5000, new RtpPortAllocator(options).Capacity);
    }

    [Fact]
    public void Pairs_are_even_rtp_and_odd_rtcp_with_bound_sockets()
    {
        var basePort = FreePortRange.Find(8);
        var allocator = CreateAllocator(basePort + 1, 7); // odd lower bound: the first pair starts one higher

        var allocation = allocator.Allocate();

        Assert.True(allocation.IsSuccess, allocation.Reason);
        using var lease = allocation.Lease!;
        Assert.Equal(0, lease.RtpPort % 2);
        Assert.Equal(lease.RtpPort + 1, lease.RtcpPort);
        Assert.Equal(basePort + 2, lease.RtpPort);
        Assert.Equal(lease.RtpPort, ((IPEndPoint)lease.RtpSocket.LocalEndPoint!).Port);
        Assert.Equal(lease.RtcpPort, ((IPEndPoint)lease.RtcpSocket.LocalEndPoint!).Port);
        Assert.Equal(3, allocator.Capacity);
    }

    [Fact]
    public void Exhaustion_is_reported_and_released_pairs_come_back()
    {
        var basePort = FreePortRange.Find(4);
        var allocator = CreateAllocator(basePort, 4);

        var first = allocator.Allocate();
        var second = allocator.Allocate();
        var third = allocator.Allocate();

        Assert.True(first.IsSuccess && second.IsSuccess);
        Assert.NotEqual(first.Lease!.RtpPort, second.Lease!.RtpPort);
        Assert.Equal(RtpPortAllocationStatus.Exhausted, third.Status);
        Assert.Null(third.Lease);
        Assert.Contains("in use", third.Reason);
        Assert.Equal(2, allocator.InUseCount);

        var freedPort = first.Lease.RtpPort;
        first.Lease.Dispose();
        first.Lease.Dispose();
        Assert.Equal(1, allocator.InUseCount);

        var again = allocator.Allocate();
        Assert.True(again.IsSuccess, again.Reason);
        Assert.Equal(freedPort, again.Lease!.RtpPort);
        again.Lease.Dispose();
        second.Lease.Dispose();
        Assert.Equal(0, allocator.InUseCount);
    }

    [Fact]
    public void Ports_bound_by_someone_else_are_skipped()
    {
        var basePort = FreePortRange.Find(6);
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, basePort + 1)); // RTCP port of the first pair
        var allocator = CreateAllocator(basePort, 6);

        var allocation = allocator.Allocate();

        Assert.True(allocation.IsSuccess, allocation.Reason);
        using var lease = allocation.Lease!;
        Assert.Equal(basePort + 2, lease.RtpPort);
        Assert.Equal(1, allocator.InUseCount);
    }

    [Fact]
    public void Refused_range_is_reported_distinctly_from_exhaustion()
    {
        var basePort = FreePortRange.Find(2);
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, basePort));
        var allocator = CreateAllocator(basePort, 2);

        var allocation = allocator.Allocate();

        Assert.Equal(RtpPortAllocationStatus.NoBindablePair, allocation.Status);
        Assert.Contains("could not be bound", allocation.Reason);
        Assert.Equal(0, allocator.InUseCount);
    }

    [Fact]
    public void A_just_released_pair_is_not_reused_while_others_are_free()
    {
        var basePort = FreePortRange.Find(6);
        var allocator = CreateAllocator(basePort, 6);

        var first = allocator.Allocate().Lease!;
        var firstPort = first.RtpPort;
        first.Dispose();
        using var second = allocator.Allocate().Lease!;

        Assert.NotEqual(firstPort, second.RtpPort);
    }

    [Fact]
    public void Concurrent_allocations_never_share_a_pair()
    {
        var basePort = FreePortRange.Find(40);
        var allocator = CreateAllocator(basePort, 40);
        var held = new ConcurrentDictionary<int, byte>();
        var duplicates = 0;
        var successes = 0;

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                var allocation = allocator.Allocate();
                if (!allocation.IsSuccess) continue;
                Interlocked.Increment(ref successes);
                var lease = allocation.Lease!;
                if (!held.TryAdd(lease.RtpPort, 0)) Interlocked.Increment(ref duplicates);
                held.TryRemove(lease.RtpPort, out byte _);
                lease.Dispose();
            }
        });

        Assert.Equal(0, duplicates);
        Assert.True(successes > 0);
        Assert.Equal(0, allocator.InUseCount);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100, 70000)]
    [InlineData(200, 100)]
    [InlineData(101, 102)]
    public void Invalid_ranges_are_refused(int min, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = max }));
    }
}
