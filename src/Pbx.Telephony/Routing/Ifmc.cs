using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>One iFMC number: rung <see cref="Delay"/> after the user's devices, in parallel with them.</summary>
/// <param name="E164">The external number, in full international format.</param>
/// <param name="ConfirmByKeypress">The callee must press a digit, so a mobile mailbox cannot take the call.</param>
/// <param name="Schedule">When the configuration applies; null means always.</param>
public sealed record IfmcConfiguration(string E164, TimeSpan Delay, bool ConfirmByKeypress = false, IfmcSchedule? Schedule = null);

/// <summary>A user's iFMC configurations; several may be active at once.</summary>
public sealed record IfmcSettings(IReadOnlyList<IfmcConfiguration> Configurations);

/// <summary>
/// Rings the user's devices and every iFMC number whose schedule applies now, as one parallel step with start
/// offsets. Without a registered device the delays lose their common part (5 s and 15 s become 0 s and 10 s): the
/// delay only exists to let the user answer on the desk first.
/// </summary>
public sealed class IfmcModule : IOfferStage
{
    public string Name => "ifmc";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        if (context.Party is not RoutingParty.User user) return null;
        var settings = await context.SettingsOfParty<IfmcSettings>();
        var now = context.Time.GetUtcNow();
        var active = settings?.Configurations.Where(c => c.Schedule is null || c.Schedule.IsActiveAt(now)).ToList() ?? [];
        if (active.Count == 0) return null;

        var registered = await context.Availability.HasRegisteredDeviceAsync(user.LoginId, context.CallerGone);
        var shift = registered ? TimeSpan.Zero : active.Min(c => c.Delay);
        var branches = new List<RingBranch> { new(new CallTarget.AllDevicesOf(user.LoginId)) };
        branches.AddRange(active.Select(c =>
            new RingBranch(new CallTarget.ExternalNumber(c.E164), c.Delay - shift, ConfirmByKeypress: c.ConfirmByKeypress)));
        var step = new RingStep("devices and iFMC", branches, context.PartyRingTime);
        return new RoutingDecision.Ring(new StepSequencePlan([step]),
            $"devices and iFMC {string.Join(", ", active.Select(c => $"{c.E164}+{(c.Delay - shift).TotalSeconds}s"))}");
    }
}
