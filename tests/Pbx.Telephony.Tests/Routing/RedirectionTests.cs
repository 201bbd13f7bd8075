using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class RedirectionTests
{
    private const string AliceDid = "+4930555100";
    private const string Cell = "+491701234567";
    private readonly RoutingTestBed _bed = new RoutingTestBed().User("alice", AliceDid).User("bob");

    private void Redirections(string login, RedirectionSettings settings) => _bed.Settings.Set(UserParty(login), settings);

    [Fact]
    public async Task Always_to_an_external_number_forwards_at_once_presenting_the_original_caller()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number(Cell)));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), outcome);
        Assert.Empty(_bed.Started);
        Assert.Equal(0, _bed.EndedAt);
    }

    [Fact]
    public async Task Always_to_an_internal_number_routes_the_owner_of_that_number()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number("x-bob")));
        _bed.Legs.AnswersAfter(All("bob"), S(3));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        var answered = Assert.IsType<RoutingOutcome.Answered>(outcome);
        Assert.Equal(UserParty("bob"), answered.Party);
        Assert.Equal([(All("bob"), 0.0)], _bed.Started);
        Assert.Equal(3, _bed.EndedAt);
    }

    [Fact]
    public async Task Busy_redirection_takes_the_call_when_a_device_declines_and_stops_the_parallel_ifmc_leg()
    {
        Redirections("alice", new(Busy: new RedirectDestination.Mailbox("alice")));
        _bed.Settings.Set(UserParty("alice"), new IfmcSettings([new IfmcConfiguration(Cell, S(2))]));
        _bed.Legs.FailsAfter(All("alice"), S(4), LegFailure.Busy);

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), outcome);
        Assert.Equal([(All("alice"), 0.0), (External(Cell), 2.0)], _bed.Started);
        Assert.Equal([(External(Cell), 4.0)], _bed.Cancelled);
        Assert.Equal(4, _bed.EndedAt);
    }

    [Fact]
    public async Task Busy_redirection_applies_at_once_when_the_user_is_busy_on_all_devices()
    {
        Redirections("alice", new(Busy: new RedirectDestination.Number(Cell)));
        _bed.Availability.SetBusyOnCall("alice", true);

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), outcome);
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task A_decline_without_a_busy_redirection_gives_the_caller_busy_even_with_a_timeout_redirection()
    {
        Redirections("alice", new(Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 30)));
        _bed.Legs.FailsAfter(All("alice"), S(4), LegFailure.Busy);

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.IsType<RoutingOutcome.RejectedBusy>(outcome);
        Assert.Equal(4, _bed.EndedAt);
    }

    [Fact]
    public async Task Timeout_redirection_forwards_after_its_seconds_and_cancels_the_ringing_devices()
    {
        Redirections("alice", new(Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 20)));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), outcome);
        Assert.Equal([(All("alice"), 0.0)], _bed.Started);
        Assert.Equal([(All("alice"), 20.0)], _bed.Cancelled);
        Assert.Equal(20, _bed.EndedAt);
        Assert.Contains(new RoutingTraceEntry.Decision(S(20), UserParty("alice"), "busy/timeout redirection",
            $"redirect to {Cell}: timeout"), _bed.Trace);
    }

    [Fact]
    public async Task A_timeout_longer_than_the_system_ring_time_is_honoured()
    {
        Redirections("alice", new(Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 90)));

        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), await _bed.CallAsync(AliceDid, S(120)));
        Assert.Equal(90, _bed.EndedAt);
    }

    [Fact]
    public async Task Timeout_redirection_applies_at_once_when_no_device_is_registered()
    {
        Redirections("alice", new(Timeout: new TimeoutRedirection(new RedirectDestination.Mailbox("alice"), 20)));
        _bed.Legs.Unreachable(All("alice"));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), outcome);
        Assert.Equal(0, _bed.EndedAt);
    }

    [Fact]
    public async Task Timeout_redirection_to_an_internal_user_rings_that_user_after_the_timeout()
    {
        Redirections("alice", new(Timeout: new TimeoutRedirection(new RedirectDestination.Number("x-bob"), 10)));
        _bed.Legs.AnswersAfter(All("bob"), S(5));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(UserParty("bob"), Assert.IsType<RoutingOutcome.Answered>(outcome).Party);
        Assert.Equal([(All("alice"), 0.0), (All("bob"), 10.0)], _bed.Started);
        Assert.Equal(15, _bed.EndedAt);
    }

    [Fact]
    public async Task An_exception_caller_bypasses_the_redirection_and_rings_the_user()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number(Cell), ExceptionCallers: new HashSet<string> { "carol" }));
        _bed.Legs.AnswersAfter(All("alice"), S(2));

        var fromCarol = await _bed.CallAsync(AliceDid, S(60), callerLoginId: "carol");

        Assert.Equal(UserParty("alice"), Assert.IsType<RoutingOutcome.Answered>(fromCarol).Party);
        Assert.Equal([(All("alice"), 0.0)], _bed.Started);
    }

    [Fact]
    public async Task Exceptions_match_the_caller_number_too_and_others_are_still_redirected()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number(Cell), ExceptionCallers: new HashSet<string> { "+4930999" }));
        _bed.Legs.AnswersAfter(All("alice"), S(2));

        Assert.IsType<RoutingOutcome.Answered>(await _bed.CallAsync(AliceDid, S(60), caller: new CallerIdentity("+4930999", null)));
        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), await _bed.CallAsync(AliceDid, S(60)));
    }

    [Fact]
    public async Task A_redirect_loop_is_cut_after_the_hop_limit()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number("x-bob")));
        Redirections("bob", new(Always: new RedirectDestination.Number("x-alice")));

        var outcome = await _bed.CallAsync(AliceDid, S(1));

        Assert.Equal(RoutingFailure.RedirectLoop, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
        Assert.Equal(6, _bed.Decisions.Count); // the dialled party plus five redirect hops, each redirecting once more
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task A_destination_that_is_neither_internal_nor_e164_fails_clearly()
    {
        Redirections("alice", new(Always: new RedirectDestination.Number("0815")));

        var outcome = await _bed.CallAsync(AliceDid, S(1));

        Assert.Equal(RoutingFailure.InvalidDestination, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(121)]
    public void Timeout_seconds_outside_5_to_120_are_refused(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutRedirection(new RedirectDestination.Mailbox("alice"), seconds));

    [Fact]
    public async Task Without_any_redirection_an_unanswered_call_fails_after_the_system_ring_time()
    {
        var outcome = await _bed.CallAsync(AliceDid, S(120));

        Assert.Equal(RoutingFailure.NoAnswer, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
        Assert.Equal(60, _bed.EndedAt);
    }

    [Fact]
    public async Task A_caller_who_hangs_up_cancels_the_ringing_legs()
    {
        using var gone = new CancellationTokenSource();
        var routing = _bed.Engine.RouteAsync(new IncomingCall(Caller, AliceDid), gone.Token);
        await _bed.Clock.AdvanceAsync(S(7));
        await gone.CancelAsync();
        await VirtualClock.Settle();

        var routed = await routing;
        Assert.IsType<RoutingOutcome.CallerGone>(routed.Outcome);
        Assert.Contains(routed.Trace, e => e is RoutingTraceEntry.LegEnded { Reason: LegFailure.Cancelled } ended && ended.At == S(7));
    }

    [Fact]
    public async Task An_unknown_number_fails_without_ringing()
    {
        var outcome = await _bed.CallAsync("+4930000000", S(1));

        Assert.Equal(RoutingFailure.UnknownNumber, Assert.IsType<RoutingOutcome.Failed>(outcome).Reason);
    }
}
