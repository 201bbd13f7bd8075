using System.Net;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Tests.Ports;

namespace Pbx.Media.Tests.Relay;

public class RtpRelaySessionFactoryTests
{
    [Fact]
    public async Task Creates_sessions_until_ports_run_out_without_leaking_half_allocations()
    {
        var basePort = FreePortRange.Find(6);
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 5, BindAddress = IPAddress.Loopback });
        var factory = new RtpRelaySessionFactory(allocator);

        var first = factory.Create("call-1");
        Assert.True(first.IsSuccess, first.Reason);
        Assert.Equal(2, allocator.InUseCount);

        // One pair left: the second session cannot get two, and the one it got must come back.
        var second = factory.Create("call-2");
        Assert.False(second.IsSuccess);
        Assert.Equal(RtpPortAllocationStatus.Exhausted, second.Status);
        Assert.Equal(2, allocator.InUseCount);

        await first.Session!.DisposeAsync();
        Assert.Equal(0, allocator.InUseCount);
        var third = factory.Create("call-3");
        Assert.True(third.IsSuccess, third.Reason);
        await third.Session!.DisposeAsync();
    }

    [Fact]
    public void The_same_lease_cannot_serve_both_legs()
    {
        var basePort = FreePortRange.Find(2);
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 1, BindAddress = IPAddress.Loopback });
        using var lease = allocator.Allocate().Lease!;
        Assert.Throws<ArgumentException>(() => new RtpRelaySession("x", lease, lease));
    }
}
