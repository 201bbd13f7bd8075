using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class BlacklistAndBarringTests
{
    private const string AliceDid = "+4930555100";
    private readonly RoutingTestBed _bed = new RoutingTestBed().User("alice", AliceDid).User("bob");

    public BlacklistAndBarringTests() =>
        _bed.Settings.Set(UserParty("alice"), new Blacklist(Numbers: ["+4930111222"], Prefixes: ["+4990"]));

    [Fact]
    public async Task A_listed_number_gets_busy_without_ringing_even_with_an_always_redirection()
    {
        _bed.Settings.Set(UserParty("alice"), new RedirectionSettings(Always: new RedirectDestination.Number("x-bob")));

        var outcome = await _bed.CallAsync(AliceDid, S(30));

        Assert.IsType<RoutingOutcome.RejectedBusy>(outcome);
        Assert.Empty(_bed.Started);
        Assert.Equal(["blacklist: busy: caller +4930111222 is blacklisted"], _bed.Decisions);
    }

    [Fact]
    public async Task A_number_in_a_listed_prefix_range_gets_busy()
    {
        var outcome = await _bed.CallAsync(AliceDid, S(30), caller: new CallerIdentity("+499001234", null));

        Assert.IsType<RoutingOutcome.RejectedBusy>(outcome);
    }

    [Fact]
    public async Task Other_callers_ring_through()
    {
        _bed.Legs.AnswersAfter(All("alice"), S(2));

        var outcome = await _bed.CallAsync(AliceDid, S(30), caller: new CallerIdentity("+4989123", null));

        Assert.IsType<RoutingOutcome.Answered>(outcome);
    }

    [Theory]
    [InlineData(false, false, null, BarringVerdict.Allowed)]
    [InlineData(true, true, null, BarringVerdict.Allowed)]
    [InlineData(true, false, null, BarringVerdict.Barred)]
    [InlineData(true, false, "9999", BarringVerdict.Barred)]
    [InlineData(true, false, "1234", BarringVerdict.AllowedByPin)]
    public void A_barred_user_reaches_only_internal_numbers_unless_the_pin_unlocks(
        bool barred, bool internalDestination, string? pin, BarringVerdict expected) =>
        Assert.Equal(expected, CallBarring.Check(new BarringSettings(barred, "1234"), internalDestination, pin));

    [Fact]
    public void Barring_without_a_configured_pin_cannot_be_unlocked() =>
        Assert.Equal(BarringVerdict.Barred, CallBarring.Check(new BarringSettings(true, null), false, ""));

    [Fact]
    public async Task The_engine_checks_outgoing_calls_against_the_number_plan()
    {
        _bed.Settings.Set(UserParty("alice"), new BarringSettings(Barred: true, Pin: "1234"));

        Assert.Equal(BarringVerdict.Allowed, await _bed.Engine.AuthorizeOutgoingAsync(new OutgoingCall("alice", "x-bob"), default));
        Assert.Equal(BarringVerdict.Barred, await _bed.Engine.AuthorizeOutgoingAsync(new OutgoingCall("alice", "+4989123"), default));
        Assert.Equal(BarringVerdict.AllowedByPin,
            await _bed.Engine.AuthorizeOutgoingAsync(new OutgoingCall("alice", "+4989123", "1234"), default));
        Assert.Equal(BarringVerdict.Allowed, await _bed.Engine.AuthorizeOutgoingAsync(new OutgoingCall("bob", "+4989123"), default));
    }
}
