using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>The plain ring plan, last in the pipeline: every registration of the user at once.</summary>
public sealed class DeviceRingingModule : IOfferStage
{
    public string Name => "devices";

    public ValueTask<RoutingDecision?> OfferAsync(RoutingContext context) =>
        ValueTask.FromResult<RoutingDecision?>(context.Party is RoutingParty.User user
            ? new RoutingDecision.Ring(
                new StepSequencePlan([new RingStep("devices", [new RingBranch(new CallTarget.AllDevicesOf(user.LoginId))],
                    context.PartyRingTime)]),
                "all devices")
            : null);
}
