using System.Net;
using Pbx.Xmpp.Auth;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Auth;

public sealed class AuthFailureTrackerTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void Five_failures_within_the_window_ban_the_address_until_the_ban_expires()
    {
        var clock = new ManualTimeProvider();
        var tracker = new AuthFailureTracker(clock, 5, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5));
        for (int i = 0; i < 4; i++)
        {
            Assert.False(tracker.RecordFailure(Attacker));
            clock.Advance(TimeSpan.FromSeconds(10));
        }
        Assert.False(tracker.IsBanned(Attacker));
        Assert.True(tracker.RecordFailure(Attacker));
        Assert.True(tracker.IsBanned(Attacker));
        Assert.False(tracker.IsBanned(IPAddress.Parse("192.0.2.11")));

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(tracker.IsBanned(Attacker));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(tracker.IsBanned(Attacker));
    }

    [Fact]
    public void Failures_older_than_the_window_do_not_count()
    {
        var clock = new ManualTimeProvider();
        var tracker = new AuthFailureTracker(clock, 5, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5));
        for (int i = 0; i < 10; i++)
        {
            Assert.False(tracker.RecordFailure(Attacker));
            clock.Advance(TimeSpan.FromSeconds(16));
        }
        Assert.False(tracker.IsBanned(Attacker));
    }

    [Fact]
    public void Ipv4_mapped_addresses_share_the_ipv4_entry()
    {
        var clock = new ManualTimeProvider();
        var tracker = new AuthFailureTracker(clock, 2);
        tracker.RecordFailure(Attacker);
        tracker.RecordFailure(Attacker.MapToIPv6());
        Assert.True(tracker.IsBanned(Attacker));
    }

    [Fact]
    public void Table_is_bounded()
    {
        var clock = new ManualTimeProvider();
        var tracker = new AuthFailureTracker(clock, 5, maxTrackedAddresses: 10);
        for (int i = 0; i < 100; i++) tracker.RecordFailure(new IPAddress(new byte[] { 10, 0, 0, (byte)i }));
        // Entries beyond the bound are not tracked, so a new address cannot be banned until room frees up.
        for (int i = 0; i < 5; i++) tracker.RecordFailure(IPAddress.Parse("10.1.1.1"));
        Assert.False(tracker.IsBanned(IPAddress.Parse("10.1.1.1")));
        clock.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 5; i++) tracker.RecordFailure(IPAddress.Parse("10.1.1.1"));
        Assert.True(tracker.IsBanned(IPAddress.Parse("10.1.1.1")));
    }
}

public sealed class AuthFailureExemptionTests
{
    [Fact]
    public void Exempt_networks_are_never_banned()
    {
        var tracker = new AuthFailureTracker(new ManualTimeProvider(), 2,
            exemptNetworks: [IPNetwork.Parse("10.20.0.0/16")]);
        var office = IPAddress.Parse("10.20.3.4");
        for (int i = 0; i < 10; i++) Assert.False(tracker.RecordFailure(office));
        Assert.False(tracker.IsBanned(office));
        Assert.False(tracker.IsBanned(office.MapToIPv6()));
        tracker.RecordFailure(IPAddress.Parse("10.21.0.1"));
        Assert.True(tracker.RecordFailure(IPAddress.Parse("10.21.0.1")));
    }
}
