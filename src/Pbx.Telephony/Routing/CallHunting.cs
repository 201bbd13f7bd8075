using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>Call hunting settings of a group; without them the system defaults apply and there is no group timeout.</summary>
/// <param name="MemberRingTime">How long each member rings (default <see cref="RoutingOptions.HuntMemberRingTime"/>).</param>
/// <param name="GroupTimeout">When hunting gives up; the group's timeout redirection, if shorter, wins.</param>
public sealed record CallHuntingSettings(TimeSpan? MemberRingTime = null, TimeSpan? GroupTimeout = null);

/// <summary>
/// A hunting group: one member at a time in member order, each for the hunt time, skipping members who are busy on
/// a call, have nothing registered, or are on DND — looked at when their turn comes. With a group timeout the hunt
/// starts over from the first member until the time is up; without one it makes a single pass.
/// </summary>
public sealed class CallHuntingModule : IOfferStage
{
    public string Name => "call hunting";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        if (context.Party is not RoutingParty.Group party) return null;
        if (await context.Settings.GetGroupAsync(party.Name, context.CallerGone) is not { RingMode: RingMode.Hunting } group)
            return null;
        var settings = await context.SettingsOfParty<CallHuntingSettings>() ?? new CallHuntingSettings();
        if (settings.GroupTimeout is { } groupTimeout) context.LimitRingTime(groupTimeout);
        var huntTime = settings.MemberRingTime ?? context.Options.HuntMemberRingTime;
        return new RoutingDecision.Ring(new HuntPlan(group.MemberLoginIds, huntTime), $"hunt {string.Join(", ", group.MemberLoginIds)}");
    }

    private sealed class HuntPlan(IReadOnlyList<string> members, TimeSpan huntTime) : IRingPlan
    {
        private readonly Queue<RingStep> _memberSteps = new();
        private int _nextMember;
        // Starting over only makes sense if someone actually rang; otherwise we would spin through skipped members.
        private bool _someoneRangThisPass;

        public async ValueTask<RoutingDecision?> NextAsync(RoutingContext context, LegFailure? previous)
        {
            if (_memberSteps.TryDequeue(out var pending)) return new RoutingDecision.RingNext(pending);
            for (var tried = 0; tried <= members.Count; tried++)
            {
                if (_nextMember == members.Count)
                {
                    if (context.RingTimeLimit is null || !_someoneRangThisPass) return null;
                    _nextMember = 0;
                    _someoneRangThisPass = false;
                }
                var member = members[_nextMember++];
                if (await SkipReasonAsync(context, member) is { } reason)
                {
                    context.Note("call hunting", $"skip {member}: {reason}");
                    continue;
                }
                _someoneRangThisPass = true;
                foreach (var step in await context.MemberStepsAsync(member, huntTime)) _memberSteps.Enqueue(step);
                if (_memberSteps.TryDequeue(out var first)) return new RoutingDecision.RingNext(first);
            }
            return null;
        }

        private static async ValueTask<string?> SkipReasonAsync(RoutingContext context, string member)
        {
            if (await context.SettingsOf<DndSettings>(new RoutingParty.User(member)) is { Active: true }) return "DND";
            if (!await context.Availability.HasRegisteredDeviceAsync(member, context.CallerGone)) return "nothing registered";
            if (await context.Availability.IsBusyOnCallAsync(member, context.CallerGone)) return "busy on a call";
            return null;
        }
    }
}
