using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>
/// A parallel group: every member's devices ring at once, except members on DND (they asked not to be disturbed,
/// and a group call is no exception). The group's timeout redirection limits the ring time.
/// </summary>
public sealed class GroupRingingModule : IOfferStage
{
    public string Name => "group parallel ringing";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        if (context.Party is not RoutingParty.Group party) return null;
        if (await context.Settings.GetGroupAsync(party.Name, context.CallerGone) is not { RingMode: RingMode.Parallel } group)
            return null;
        var ringing = new List<string>();
        foreach (var member in group.MemberLoginIds)
            if (await context.SettingsOf<DndSettings>(new RoutingParty.User(member)) is not { Active: true }) ringing.Add(member);
        var step = new RingStep($"group {group.Name}",
            [.. ringing.Select(m => new RingBranch(new CallTarget.AllDevicesOf(m)))], context.PartyRingTime);
        return new RoutingDecision.Ring(new StepSequencePlan([step]), $"members {string.Join(", ", ringing)} in parallel");
    }
}
