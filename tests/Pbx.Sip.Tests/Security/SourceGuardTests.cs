using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Sip.Security;
using Pbx.Sip.Tests.Helpers;

namespace Pbx.Sip.Tests.Security;

public sealed class SourceGuardTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("198.51.100.66");
    private static readonly IPAddress Phone = IPAddress.Parse("192.168.1.20");
    private readonly ManualTimeProvider _clock = new();

    private SourceGuard Guard(SourceGuardOptions? options = null) =>
        new(options ?? new SourceGuardOptions { FailureLimit = 3, FailureWindow = TimeSpan.FromSeconds(60), BanDuration = TimeSpan.FromMinutes(10), RequestsPerSecond = 0 },
            _clock, NullLogger.Instance);

    [Fact]
    public void Failures_within_the_window_ban_the_source_for_the_ban_time_only()
    {
        var guard = Guard();
        for (var i = 0; i < 3; i++) guard.OnAuthFailure(Attacker, "1000");

        Assert.False(guard.Admit(Attacker));
        Assert.True(guard.Admit(Phone));
        Assert.Equal(Attacker, Assert.Single(guard.Bans).Address);

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.True(guard.Admit(Attacker));
        Assert.Empty(guard.Bans);
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_do_not_ban()
    {
        var guard = Guard();
        for (var i = 0; i < 5; i++)
        {
            guard.OnAuthFailure(Phone, "1000");
            _clock.Advance(TimeSpan.FromSeconds(31));
        }
        Assert.True(guard.Admit(Phone));
    }

    [Fact]
    public void An_admin_can_lift_a_ban()
    {
        var guard = Guard();
        for (var i = 0; i < 3; i++) guard.OnAuthFailure(Attacker, "x");
        Assert.True(guard.Lift(Attacker));
        Assert.True(guard.Admit(Attacker));
        Assert.False(guard.Lift(Attacker));
    }

    [Fact]
    public void A_flooding_source_is_throttled_to_its_rate_and_recovers()
    {
        var guard = Guard(new SourceGuardOptions { RequestsPerSecond = 10 });
        var admitted = Enumerable.Range(0, 50).Count(_ => guard.Admit(Attacker));
        Assert.Equal(10, admitted);
        Assert.True(guard.Admit(Phone));

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, Enumerable.Range(0, 50).Count(_ => guard.Admit(Attacker)));
    }

    [Fact]
    public void Trusted_networks_are_never_banned_or_throttled()
    {
        var guard = Guard(new SourceGuardOptions { FailureLimit = 1, RequestsPerSecond = 1, Trusted = [IPNetwork.Parse("192.168.1.0/24")] });
        guard.OnAuthFailure(Phone, "1000");
        Assert.True(Enumerable.Range(0, 20).All(_ => guard.Admit(Phone)));
    }

    [Fact]
    public void Registration_allow_and_deny_lists_are_applied_in_that_order()
    {
        var guard = Guard(new SourceGuardOptions
        {
            RegisterAllow = [IPNetwork.Parse("192.168.0.0/16")],
            RegisterDeny = [IPNetwork.Parse("192.168.99.0/24")],
        });
        Assert.True(guard.MayRegister(Phone));
        Assert.False(guard.MayRegister(IPAddress.Parse("192.168.99.5")));
        Assert.False(guard.MayRegister(Attacker));
        Assert.True(guard.MayRegister(IPAddress.Parse("::ffff:192.168.1.20")));
    }
}
