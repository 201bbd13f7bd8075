using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class DndTests
{
    private const string AliceDid = "+4930555100";
    private const string Cell = "+491701234567";
    private readonly RoutingTestBed _bed = new RoutingTestBed().User("alice", AliceDid);

    public DndTests() => _bed.Settings.Set(UserParty("alice"), new DndSettings(Active: true));

    [Fact]
    public async Task With_a_timeout_redirection_DND_makes_it_take_effect_at_once()
    {
        _bed.Settings.Set(UserParty("alice"),
            new RedirectionSettings(Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 30)));

        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.Equal(new RoutingOutcome.Redirected(Cell, Caller), outcome);
        Assert.Empty(_bed.Started);
        Assert.Equal(0, _bed.EndedAt);
    }

    [Fact]
    public async Task Without_a_timeout_redirection_the_caller_gets_busy()
    {
        var outcome = await _bed.CallAsync(AliceDid, S(60));

        Assert.IsType<RoutingOutcome.RejectedBusy>(outcome);
        Assert.Empty(_bed.Started);
    }

    [Fact]
    public async Task An_always_redirection_is_evaluated_before_DND()
    {
        _bed.Settings.Set(UserParty("alice"), new RedirectionSettings(
            Always: new RedirectDestination.Mailbox("alice"),
            Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 30)));

        Assert.Equal(new RoutingOutcome.ToVoicemail("alice"), await _bed.CallAsync(AliceDid, S(1)));
    }

    [Fact]
    public async Task A_redirection_exception_caller_is_not_redirected_and_gets_busy_from_DND()
    {
        _bed.Settings.Set(UserParty("alice"), new RedirectionSettings(
            Timeout: new TimeoutRedirection(new RedirectDestination.Number(Cell), 30), ExceptionCallers: new HashSet<string> { "carol" }));

        Assert.IsType<RoutingOutcome.RejectedBusy>(await _bed.CallAsync(AliceDid, S(1), callerLoginId: "carol"));
    }

    [Fact]
    public async Task DND_off_rings_the_user()
    {
        _bed.Settings.Set(UserParty("alice"), new DndSettings(Active: false));
        _bed.Legs.AnswersAfter(All("alice"), S(1));

        Assert.IsType<RoutingOutcome.Answered>(await _bed.CallAsync(AliceDid, S(5)));
    }
}
