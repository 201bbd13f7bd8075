using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Tests;

public sealed class RingStepRunnerTests
{
    private static readonly CallTarget Desk = new CallTarget.DevicesOfKind("alice", DeviceKind.DeskPhone);
    private static readonly CallTarget Mobile = new CallTarget.DevicesOfKind("alice", DeviceKind.MobileClient);
    private static readonly CallTarget Cell = new CallTarget.ExternalNumber("+491701234567");
    private static readonly CallerIdentity Caller = new("200", "Bob");

    private readonly VirtualClock _clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeLegs _legs;
    private readonly RingStepRunner _runner;

    public RingStepRunnerTests()
    {
        _legs = new FakeLegs(_clock);
        _runner = new RingStepRunner(_legs, _clock);
    }

    /// <summary>Runs the step and records the virtual time at which it ended.</summary>
    private (Task<RingResult> Result, Func<TimeSpan?> EndedAt) Run(RingStep step, CancellationToken callerGone = default)
    {
        TimeSpan? endedAt = null;
        var task = _runner.RunAsync(step, Caller, callerGone);
        _ = task.ContinueWith(_ => endedAt = _clock.Elapsed, TaskContinuationOptions.ExecuteSynchronously);
        return (task, () => endedAt);
    }

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task Branches_start_at_their_offsets_and_the_step_times_out_as_no_answer()
    {
        var (result, endedAt) = Run(new RingStep("desk then cell", [new(Desk), new(Cell, StartDelay: S(10))], Timeout: S(30)));

        await _clock.AdvanceAsync(S(9.9));
        Assert.Equal([Desk], _legs.Started.Select(l => l.Request.Target));
        await _clock.AdvanceAsync(S(40));

        Assert.Equal(S(10), _legs.Leg(Cell).StartedAt);
        Assert.Equal(new RingResult.NotAnswered(LegFailure.NoAnswer), await result);
        Assert.Equal(S(30), endedAt());
        Assert.True(_legs.Leg(Desk).WasCancelled && _legs.Leg(Cell).WasCancelled);
    }

    [Fact]
    public async Task The_first_answer_wins_and_the_other_branches_are_cancelled()
    {
        _legs.AnswersAfter(Mobile, S(4));
        var (result, endedAt) = Run(new RingStep("parallel", [new(Desk), new(Mobile)], Timeout: S(30)));
        await _clock.AdvanceAsync(S(60));

        var answered = Assert.IsType<RingResult.Answered>(await result);
        Assert.Equal(Mobile, answered.Branch.Target);
        Assert.Equal(S(4), endedAt());
        Assert.True(_legs.Leg(Desk).WasCancelled);
        Assert.False(_legs.Leg(Mobile).WasCancelled);
    }

    [Fact]
    public async Task A_delayed_branch_never_starts_when_the_call_is_answered_before_its_offset()
    {
        _legs.AnswersAfter(Desk, S(3));
        var (result, _) = Run(new RingStep("ifmc", [new(Desk), new(Cell, StartDelay: S(10))], Timeout: S(30)));
        await _clock.AdvanceAsync(S(60));

        Assert.IsType<RingResult.Answered>(await result);
        Assert.DoesNotContain(_legs.Started, l => l.Request.Target == Cell);
    }

    [Fact]
    public async Task A_branch_stops_at_its_maximum_ring_time()
    {
        var (result, endedAt) = Run(new RingStep("rna", [new(Desk, MaxRingTime: S(15))]));
        await _clock.AdvanceAsync(S(60));

        Assert.Equal(new RingResult.NotAnswered(LegFailure.NoAnswer), await result);
        Assert.Equal(S(15), endedAt());
        Assert.True(_legs.Leg(Desk).WasCancelled);
    }

    [Fact]
    public async Task With_end_on_busy_a_busy_branch_ends_the_step_at_once()
    {
        _legs.FailsAfter(Desk, S(2), LegFailure.Busy);
        var (result, endedAt) = Run(new RingStep("busy", [new(Desk), new(Mobile)], Timeout: S(30), EndOnBusy: true));
        await _clock.AdvanceAsync(S(60));

        Assert.Equal(new RingResult.NotAnswered(LegFailure.Busy), await result);
        Assert.Equal(S(2), endedAt());
        Assert.True(_legs.Leg(Mobile).WasCancelled);
    }

    [Fact]
    public async Task Without_end_on_busy_the_step_waits_for_every_branch_and_reports_busy_over_unavailable()
    {
        _legs.FailsAfter(Desk, S(2), LegFailure.Busy);
        _legs.Unreachable(Mobile);
        _legs.FailsAfter(Cell, S(5), LegFailure.Busy);
        var (result, endedAt) = Run(new RingStep("all", [new(Desk), new(Mobile), new(Cell)], Timeout: S(30)));
        await _clock.AdvanceAsync(S(60));

        Assert.Equal(new RingResult.NotAnswered(LegFailure.Busy), await result);
        Assert.Equal(S(5), endedAt());
    }

    [Fact]
    public async Task Nothing_reachable_is_unavailable_without_waiting()
    {
        _legs.Unreachable(Desk);
        _legs.Unreachable(Mobile);
        var (result, endedAt) = Run(new RingStep("none", [new(Desk), new(Mobile)], Timeout: S(30)));
        await VirtualClock.Settle();

        Assert.True(result.IsCompleted);
        Assert.Equal(new RingResult.NotAnswered(LegFailure.Unavailable), await result);
        Assert.Equal(TimeSpan.Zero, endedAt());
    }

    [Fact]
    public async Task A_caller_who_hangs_up_cancels_every_branch()
    {
        using var callerGone = new CancellationTokenSource();
        var (result, _) = Run(new RingStep("hangup", [new(Desk), new(Cell, StartDelay: S(10))], Timeout: S(30)), callerGone.Token);
        await _clock.AdvanceAsync(S(7));
        await callerGone.CancelAsync();
        await VirtualClock.Settle();

        Assert.IsType<RingResult.CallerGone>(await result);
        Assert.True(_legs.Leg(Desk).WasCancelled);
        Assert.DoesNotContain(_legs.Started, l => l.Request.Target == Cell);
    }

    [Fact]
    public async Task An_empty_step_is_unavailable()
    {
        var (result, _) = Run(new RingStep("empty", []));
        Assert.Equal(new RingResult.NotAnswered(LegFailure.Unavailable), await result);
    }
}
