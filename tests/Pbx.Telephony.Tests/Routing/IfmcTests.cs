using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class IfmcTests
{
    private const string AliceDid = "+4930555100";
    private const string First = "+491701111111";
    private const string Second = "+491702222222";
    private readonly RoutingTestBed _bed = new RoutingTestBed().User("alice", AliceDid);

    private void Ifmc(params IfmcConfiguration[] configurations) =>
        _bed.Settings.Set(UserParty("alice"), new IfmcSettings(configurations));

    [Fact]
    public async Task Each_number_rings_in_parallel_with_the_devices_at_its_own_delay()
    {
        Ifmc(new IfmcConfiguration(First, S(5)), new IfmcConfiguration(Second, S(15)));
        _bed.Settings.Set(UserParty("alice"),
            new RedirectionSettings(Timeout: new TimeoutRedirection(new RedirectDestination.Mailbox("alice"), 30)));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal([(All("alice"), 0.0), (External(First), 5.0), (External(Second), 15.0)], _bed.Started);
        Assert.Equal([(All("alice"), 30.0), (External(First), 30.0), (External(Second), 30.0)], _bed.Cancelled);
        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), outcome);
        Assert.Equal(30, _bed.EndedAt);
    }

    [Fact]
    public async Task Without_a_registered_device_the_delays_drop_but_keep_their_difference()
    {
        Ifmc(new IfmcConfiguration(First, S(5)), new IfmcConfiguration(Second, S(15)));
        _bed.Availability.SetRegistered("alice", false);
        _bed.Legs.Unreachable(All("alice"));
        _bed.Legs.AnswersAfter(External(Second), S(2));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal([(All("alice"), 0.0), (External(First), 0.0), (External(Second), 10.0)], _bed.Started);
        Assert.Equal(External(Second), Assert.IsType<RoutingOutcome.Answered>(outcome).Branch.Target);
        Assert.Equal([(External(First), 12.0)], _bed.Cancelled);
        Assert.Equal(12, _bed.EndedAt);
    }

    [Fact]
    public async Task An_answer_on_the_desk_before_the_delay_means_the_ifmc_number_never_rings()
    {
        Ifmc(new IfmcConfiguration(First, S(10)));
        _bed.Legs.AnswersAfter(All("alice"), S(4));

        Assert.IsType<RoutingOutcome.Answered>(await _bed.CallAsync(AliceDid, S(60)));
        Assert.Equal([(All("alice"), 0.0)], _bed.Started);
    }

    [Fact]
    public async Task Confirm_by_keypress_is_passed_to_the_leg()
    {
        Ifmc(new IfmcConfiguration(First, S(0), ConfirmByKeypress: true), new IfmcConfiguration(Second, S(0)));
        _bed.Legs.AnswersAfter(External(First), S(3));

        await _bed.CallAsync(AliceDid, S(60));

        Assert.True(_bed.Legs.Leg(External(First)).Request.ConfirmByKeypress);
        Assert.False(_bed.Legs.Leg(External(Second)).Request.ConfirmByKeypress);
        Assert.Contains(_bed.Trace, e => e is RoutingTraceEntry.LegStarted { ConfirmByKeypress: true } s && s.Target == External(First));
    }

    [Fact]
    public async Task A_configuration_outside_its_schedule_does_not_ring()
    {
        // 09:00 UTC on Monday 23 November 2026 is 10:00 in Berlin; the window is evenings only.
        var evenings = new IfmcSchedule("Europe/Berlin",
            [new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Monday }, new TimeOnly(18, 0), new TimeOnly(23, 0))]);
        Ifmc(new IfmcConfiguration(First, S(5), Schedule: evenings), new IfmcConfiguration(Second, S(5)));

        await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal([(All("alice"), 0.0), (External(Second), 5.0)], _bed.Started);
    }

    [Fact]
    public async Task On_the_spring_forward_day_the_schedule_follows_local_summer_time()
    {
        // 01:30 UTC on 29 March 2026 is 03:30 CEST; a fixed winter offset would say 02:30 and miss the window.
        var bed = new RoutingTestBed(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero)).User("alice", AliceDid);
        bed.Settings.Set(UserParty("alice"), new IfmcSettings([new IfmcConfiguration(First, S(5), Schedule: new IfmcSchedule(
            "Europe/Berlin", [new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Sunday }, new TimeOnly(3, 0), new TimeOnly(4, 0))]))]));

        await bed.CallAsync(AliceDid, S(120));

        Assert.Equal([(All("alice"), 0.0), (External(First), 5.0)], bed.Started);
    }
}
