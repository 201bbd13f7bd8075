using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class AutoPilotTests
{
    private const string AliceDid = "+4930555100";
    private const string AliceCell = "+491701234567";
    private readonly RoutingTestBed _bed = new RoutingTestBed().User("alice", AliceDid);

    private void AutoPilot(AutoPilotSettings settings) => _bed.Settings.Set(UserParty("alice"), settings);

    [Fact]
    public async Task Reachable_mobile_client_rings_first_then_the_desk_then_voicemail()
    {
        AutoPilot(new());
        _bed.Availability.SetMobileClientReachable("alice", true);

        var outcome = await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), outcome);
        Assert.Equal([(Mobile("alice"), 0.0), (Desk("alice"), 15.0)], _bed.Started);
        Assert.Equal([(Mobile("alice"), 15.0), (Desk("alice"), 25.0)], _bed.Cancelled);
        Assert.Equal(25, _bed.EndedAt);
    }

    [Fact]
    public async Task Unreachable_mobile_client_rings_desk_then_cell_through_the_trunk_then_voicemail()
    {
        AutoPilot(new(RouteCallsToCell: true, CellNumber: AliceCell));

        var outcome = await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), outcome);
        Assert.Equal([(Desk("alice"), 0.0), (External(AliceCell), 10.0)], _bed.Started);
        Assert.Equal(25, _bed.EndedAt);
    }

    [Fact]
    public async Task Without_route_calls_to_cell_the_desk_goes_straight_to_voicemail()
    {
        AutoPilot(new(RouteCallsToCell: false, CellNumber: AliceCell, MailboxId: "mb-alice"));

        var outcome = await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal(new RoutingOutcome.ToVoicemail("mb-alice"), outcome);
        Assert.Equal([(Desk("alice"), 0.0)], _bed.Started);
        Assert.Equal(10, _bed.EndedAt);
    }

    [Fact]
    public async Task The_desk_answering_in_the_second_step_wins()
    {
        AutoPilot(new());
        _bed.Availability.SetMobileClientReachable("alice", true);
        _bed.Legs.AnswersAfter(Desk("alice"), S(4));

        var outcome = await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal(Desk("alice"), Assert.IsType<RoutingOutcome.Answered>(outcome).Branch.Target);
        Assert.Equal(19, _bed.EndedAt);
    }

    [Fact]
    public async Task Ring_times_come_from_the_system_and_a_user_may_override_them()
    {
        var bed = new RoutingTestBed(options: RoutingOptions.Default with { AutoPilot = new(S(20), S(5), S(15)) }).User("alice", AliceDid);
        bed.Settings.Set(UserParty("alice"), new AutoPilotSettings());
        bed.Availability.SetMobileClientReachable("alice", true);
        await bed.CallAsync(AliceDid, S(120));
        Assert.Equal([(Mobile("alice"), 0.0), (Desk("alice"), 20.0)], bed.Started);
        Assert.Equal(25, bed.EndedAt);

        AutoPilot(new(Times: new AutoPilotTimes(S(7), S(3), S(15))));
        _bed.Availability.SetMobileClientReachable("alice", true);
        await _bed.CallAsync(AliceDid, S(120));
        Assert.Equal([(Mobile("alice"), 0.0), (Desk("alice"), 7.0)], _bed.Started);
        Assert.Equal(10, _bed.EndedAt);
    }

    [Fact]
    public async Task Preferred_work_phone_rings_only_the_desk_then_voicemail()
    {
        AutoPilot(new(Preferred: PreferredDevice.WorkPhone));
        _bed.Availability.SetMobileClientReachable("alice", true);

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), await _bed.CallAsync(AliceDid, S(120)));
        Assert.Equal([(Desk("alice"), 0.0)], _bed.Started);
        Assert.Equal(10, _bed.EndedAt);
    }

    [Fact]
    public async Task Preferred_mobile_client_rings_only_the_mobile_then_voicemail()
    {
        AutoPilot(new(Preferred: PreferredDevice.MobileClient));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), await _bed.CallAsync(AliceDid, S(120)));
        Assert.Equal([(Mobile("alice"), 0.0)], _bed.Started);
        Assert.Equal(15, _bed.EndedAt);
    }

    [Fact]
    public async Task A_preferred_added_device_rings_for_its_max_ring_time_then_voicemail()
    {
        var car = new Device(7, "alice", DeviceKind.Added, "car phone", "+4917099", MaxRingSeconds: 25);
        AutoPilot(new(Preferred: PreferredDevice.AddedDevice, AddedDevice: car));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), await _bed.CallAsync(AliceDid, S(120)));
        Assert.Equal([(External("+4917099"), 0.0)], _bed.Started);
        Assert.Equal(25, _bed.EndedAt);
    }

    [Fact]
    public async Task An_added_device_without_max_ring_time_rings_until_the_caller_gives_up()
    {
        var home = new Device(8, "alice", DeviceKind.Added, "home", "+493012345", MaxRingSeconds: null);
        AutoPilot(new(Preferred: PreferredDevice.AddedDevice, AddedDevice: home));
        using var gone = new CancellationTokenSource();

        var routing = _bed.Engine.RouteAsync(new IncomingCall(Caller, AliceDid), gone.Token);
        await _bed.Clock.AdvanceAsync(S(600));
        Assert.False(routing.IsCompleted);
        await gone.CancelAsync();
        await VirtualClock.Settle();

        Assert.IsType<RoutingOutcome.CallerGone>((await routing).Outcome);
        Assert.True(_bed.Legs.Leg(External("+493012345")).WasCancelled);
    }

    [Fact]
    public async Task DND_bypasses_auto_pilot()
    {
        AutoPilot(new());
        _bed.Settings.Set(UserParty("alice"), new DndSettings(true));

        Assert.IsType<RoutingOutcome.RejectedBusy>(await _bed.CallAsync(AliceDid, S(60)));
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task Immediate_forwarding_bypasses_auto_pilot()
    {
        AutoPilot(new());
        _bed.Settings.Set(UserParty("alice"), new RedirectionSettings(Always: new RedirectDestination.Number(AliceCell)));

        Assert.Equal(new RoutingOutcome.Redirected(AliceCell, Caller), await _bed.CallAsync(AliceDid, S(60)));
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task A_hunt_group_delivers_to_a_member_through_auto_pilot_and_hunts_on_when_unanswered()
    {
        _bed.User("ben");
        _bed.Settings.AddGroup(new Group(1, "sales", RingMode.Hunting, ["alice", "ben"]), "+4930555200");
        AutoPilot(new());
        _bed.Availability.SetMobileClientReachable("alice", true);
        _bed.Legs.AnswersAfter(All("ben"), S(3));

        var outcome = await _bed.CallAsync("+4930555200", S(120));

        Assert.Equal(All("ben"), Assert.IsType<RoutingOutcome.Answered>(outcome).Branch.Target);
        Assert.Equal([(Mobile("alice"), 0.0), (Desk("alice"), 15.0), (All("ben"), 25.0)], _bed.Started);
        Assert.Equal(28, _bed.EndedAt);
    }

    [Fact]
    public async Task A_hunt_member_with_an_immediate_forward_is_rung_on_their_devices_not_through_auto_pilot()
    {
        _bed.Settings.AddGroup(new Group(1, "sales", RingMode.Hunting, ["alice"]), "+4930555200");
        AutoPilot(new());
        _bed.Settings.Set(UserParty("alice"), new RedirectionSettings(Always: new RedirectDestination.Number(AliceCell)));

        await _bed.CallAsync("+4930555200", S(120));

        Assert.Equal([(All("alice"), 0.0)], _bed.Started);
    }
}
