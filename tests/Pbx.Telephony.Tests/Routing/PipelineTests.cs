using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;
using static Pbx.Telephony.Tests.Routing.RoutingTestBed;

namespace Pbx.Telephony.Tests.Routing;

public sealed class PipelineTests
{
    private const string AliceDid = "+4930555100";

    /// <summary>A feature the engine has never heard of, with its own settings record.</summary>
    private sealed record NightServiceSettings(string MailboxId);

    private sealed class NightServiceModule : IOfferStage
    {
        public string Name => "night service";

        public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context) =>
            await context.SettingsOfParty<NightServiceSettings>() is { } night
                ? new RoutingDecision.Redirect(new RedirectDestination.Mailbox(night.MailboxId), "night")
                : null;
    }

    [Fact]
    public async Task A_new_feature_is_a_module_and_a_settings_record_inserted_into_the_pipeline()
    {
        var clock = new VirtualClock(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero));
        var settings = new InMemoryRoutingSettings().AddNumber(AliceDid, UserParty("alice"));
        settings.Set(UserParty("alice"), new NightServiceSettings("night-box"));
        IReadOnlyList<IRoutingModule> modules = [.. RoutingEngine.StandardModules().SkipLast(1), new NightServiceModule(),
            RoutingEngine.StandardModules()[^1]];
        var engine = new RoutingEngine(new FakeLegs(clock), settings, new InMemoryDeviceAvailability(), clock,
            RoutingOptions.Default, modules);

        var routed = await engine.RouteAsync(new IncomingCall(Caller, AliceDid), default);

        Assert.Equal(new RoutingOutcome.ToVoicemail("night-box"), routed.Outcome);
        Assert.Equal([new RoutingTraceEntry.Decision(S(0), UserParty("alice"), "night service", "to mailbox night-box: night")],
            routed.Trace);
    }

    [Fact]
    public void The_standard_order_is_the_documented_one() =>
        Assert.Equal(
            ["blacklist", "always redirection", "dnd", "busy/timeout redirection", "auto-pilot", "ifmc",
                "group parallel ringing", "call hunting", "devices"],
            RoutingEngine.StandardModules().Select(m => m.Name));

    [Fact]
    public async Task Settings_of_one_user_do_not_leak_to_another()
    {
        var bed = new RoutingTestBed().User("alice", AliceDid).User("bob", "+4930555101");
        bed.Settings.Set(UserParty("bob"), new DndSettings(true));
        bed.Legs.AnswersAfter(All("alice"), S(1));

        Assert.IsType<RoutingOutcome.Answered>(await bed.CallAsync(AliceDid, S(5)));
        Assert.IsType<RoutingOutcome.RejectedBusy>(await bed.CallAsync("+4930555101", S(5)));
        Assert.IsType<LegOutcome.Answered>(await bed.Legs.Leg(All("alice")).Outcome);
    }
}
