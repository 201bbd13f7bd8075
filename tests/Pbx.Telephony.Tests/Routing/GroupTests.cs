using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class GroupTests
{
    private const string SalesDid = "+4930555200";
    private const string Overflow = "+4930999000";
    private static readonly RoutingParty.Group Sales = new("sales");
    private readonly RoutingTestBed _bed = new();

    private void Group(RingMode mode, params string[] members)
    {
        foreach (var member in members) _bed.User(member);
        _bed.Settings.AddGroup(new Group(1, "sales", mode, members), SalesDid);
    }

    [Fact]
    public async Task Parallel_rings_every_member_except_those_on_DND_and_cancels_the_rest_on_answer()
    {
        Group(RingMode.Parallel, "anna", "ben", "cleo");
        _bed.Settings.Set(UserParty("cleo"), new DndSettings(true));
        _bed.Legs.AnswersAfter(All("anna"), S(6));

        var outcome = await _bed.CallAsync(SalesDid, S(60));

        var answered = Assert.IsType<RoutingOutcome.Answered>(outcome);
        Assert.Equal((Sales, All("anna")), (answered.Party, answered.Branch.Target));
        Assert.Equal([(All("anna"), 0.0), (All("ben"), 0.0)], _bed.Started);
        Assert.Equal([(All("ben"), 6.0)], _bed.Cancelled);
        Assert.Contains(new RoutingTraceEntry.LegAnswered(S(6), All("anna")), _bed.Trace);
    }

    [Fact]
    public async Task A_group_number_has_its_own_timeout_redirection()
    {
        Group(RingMode.Parallel, "anna", "ben");
        _bed.Settings.Set<RedirectionSettings>(Sales, new(Timeout: new TimeoutRedirection(new RedirectDestination.Mailbox("sales"), 10)));

        var outcome = await _bed.CallAsync(SalesDid, S(60));

        Assert.Equal(new RoutingOutcome.ToVoicemail("sales"), outcome);
        Assert.Equal([(All("anna"), 10.0), (All("ben"), 10.0)], _bed.Cancelled);
    }

    [Fact]
    public async Task A_group_number_has_its_own_always_redirection()
    {
        Group(RingMode.Parallel, "anna");
        _bed.Settings.Set<RedirectionSettings>(Sales, new(Always: new RedirectDestination.Number(Overflow)));

        Assert.Equal(new RoutingOutcome.Redirected(Overflow, Caller), await _bed.CallAsync(SalesDid, S(1)));
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task A_group_is_busy_only_when_every_member_is_busy_and_then_takes_its_busy_redirection()
    {
        Group(RingMode.Parallel, "anna", "ben");
        _bed.Settings.Set<RedirectionSettings>(Sales, new(Busy: new RedirectDestination.Number(Overflow)));
        _bed.Legs.FailsAfter(All("anna"), S(2), LegFailure.Busy);
        _bed.Legs.FailsAfter(All("ben"), S(5), LegFailure.Busy);

        var outcome = await _bed.CallAsync(SalesDid, S(60));

        Assert.Equal(new RoutingOutcome.Redirected(Overflow, Caller), outcome);
        Assert.Empty(_bed.Cancelled);
        Assert.Equal(5, _bed.EndedAt);
    }

    [Fact]
    public async Task Hunting_rings_one_member_at_a_time_skipping_busy_unregistered_and_DND_members()
    {
        Group(RingMode.Hunting, "anna", "ben", "cleo", "dora", "emil");
        _bed.Availability.SetBusyOnCall("ben", true);
        _bed.Availability.SetRegistered("cleo", false);
        _bed.Settings.Set(UserParty("dora"), new DndSettings(true));
        _bed.Legs.AnswersAfter(All("emil"), S(5));

        var outcome = await _bed.CallAsync(SalesDid, S(120));

        Assert.Equal(All("emil"), Assert.IsType<RoutingOutcome.Answered>(outcome).Branch.Target);
        Assert.Equal([(All("anna"), 0.0), (All("emil"), 15.0)], _bed.Started);
        Assert.Equal([(All("anna"), 15.0)], _bed.Cancelled);
        Assert.Equal(20, _bed.EndedAt);
        Assert.Contains("call hunting: skip ben: busy on a call", _bed.Decisions);
    }

    [Fact]
    public async Task Hunting_goes_round_until_the_group_timeout_then_takes_the_timeout_redirection()
    {
        Group(RingMode.Hunting, "anna", "ben");
        _bed.Settings.Set<RedirectionSettings>(Sales, new(Timeout: new TimeoutRedirection(new RedirectDestination.Number(Overflow), 40)));

        var outcome = await _bed.CallAsync(SalesDid, S(120));

        Assert.Equal(new RoutingOutcome.Redirected(Overflow, Caller), outcome);
        Assert.Equal([(All("anna"), 0.0), (All("ben"), 15.0), (All("anna"), 30.0)], _bed.Started);
        Assert.Equal([(All("anna"), 15.0), (All("ben"), 30.0), (All("anna"), 40.0)], _bed.Cancelled);
        Assert.Equal(40, _bed.EndedAt);
    }

    [Fact]
    public async Task Hunting_member_ring_time_and_group_timeout_are_configurable()
    {
        Group(RingMode.Hunting, "anna", "ben");
        _bed.Settings.Set(Sales, new CallHuntingSettings(MemberRingTime: S(8), GroupTimeout: S(20)));

        var outcome = await _bed.CallAsync(SalesDid, S(120));

        Assert.Equal(RoutingFailure.NoAnswer, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
        Assert.Equal([(All("anna"), 0.0), (All("ben"), 8.0), (All("anna"), 16.0)], _bed.Started);
        Assert.Equal(20, _bed.EndedAt);
    }

    [Fact]
    public async Task Without_a_group_timeout_hunting_makes_one_pass()
    {
        Group(RingMode.Hunting, "anna", "ben");

        var outcome = await _bed.CallAsync(SalesDid, S(120));

        Assert.Equal(RoutingFailure.NoAnswer, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
        Assert.Equal([(All("anna"), 0.0), (All("ben"), 15.0)], _bed.Started);
        Assert.Equal(30, _bed.EndedAt);
    }

    [Fact]
    public async Task A_member_who_declines_passes_the_call_to_the_next_member_at_once()
    {
        Group(RingMode.Hunting, "anna", "ben");
        _bed.Legs.FailsAfter(All("anna"), S(3), LegFailure.Busy);
        _bed.Legs.AnswersAfter(All("ben"), S(2));

        var outcome = await _bed.CallAsync(SalesDid, S(60));

        Assert.Equal(All("ben"), Assert.IsType<RoutingOutcome.Answered>(outcome).Branch.Target);
        Assert.Equal([(All("anna"), 0.0), (All("ben"), 3.0)], _bed.Started);
    }

    [Fact]
    public async Task When_every_member_is_skipped_the_group_timeout_redirection_applies_at_once()
    {
        Group(RingMode.Hunting, "anna", "ben");
        _bed.Availability.SetRegistered("anna", false);
        _bed.Availability.SetBusyOnCall("ben", true);
        _bed.Settings.Set<RedirectionSettings>(Sales, new(Timeout: new TimeoutRedirection(new RedirectDestination.Mailbox("sales"), 60)));

        Assert.Equal(new RoutingOutcome.ToVoicemail("sales"), await _bed.CallAsync(SalesDid, S(1)));
        Assert.Empty(_bed.Started);
    }
}
