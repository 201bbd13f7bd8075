using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>Ring times of the auto-pilot chain. The system sets defaults; a user may override each one.</summary>
public sealed record AutoPilotTimes(TimeSpan MobileClient, TimeSpan Desk, TimeSpan Cell)
{
    public static AutoPilotTimes Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));
}

public enum PreferredDevice
{
    /// <summary>Mobile client first when it is reachable, else desk then cell.</summary>
    AutoPilot,
    /// <summary>Desk phone, then voicemail.</summary>
    WorkPhone,
    /// <summary>Mobile client, then voicemail.</summary>
    MobileClient,
    /// <summary>The <see cref="AutoPilotSettings.AddedDevice"/>, for its max ring time (null: until the caller hangs up), then voicemail.</summary>
    AddedDevice,
}

/// <summary>One Number Service settings of a user. Having this record turns the service on for the user.</summary>
/// <param name="Times">Per-user ring times; null uses <see cref="RoutingOptions.AutoPilot"/>.</param>
/// <param name="MailboxId">Where unanswered calls end; null means the user's login ID.</param>
public sealed record AutoPilotSettings(
    PreferredDevice Preferred = PreferredDevice.AutoPilot,
    bool RouteCallsToCell = false,
    string? CellNumber = null,
    Device? AddedDevice = null,
    AutoPilotTimes? Times = null,
    string? MailboxId = null);

/// <summary>
/// Auto-pilot / One Number Service: serial ringing over the user's devices, ending in voicemail. An always
/// redirection or DND is decided earlier in the pipeline, which is how they bypass auto-pilot. For hunt groups it
/// supplies the member's chain without voicemail, so an unanswered call returns to the group to hunt on.
/// </summary>
public sealed class AutoPilotModule : IOfferStage, IMemberDelivery
{
    public string Name => "auto-pilot";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        if (context.Party is not RoutingParty.User user) return null;
        if (await context.SettingsOfParty<AutoPilotSettings>() is not { } settings) return null;
        var steps = await StepsAsync(context, user.LoginId, settings);
        var voicemail = new RoutingDecision.Redirect(new RedirectDestination.Mailbox(settings.MailboxId ?? user.LoginId),
            "auto-pilot: nobody answered");
        return new RoutingDecision.Ring(new StepSequencePlan(steps, voicemail),
            $"{settings.Preferred}: {string.Join(" → ", steps.Select(s => s.Label))} → voicemail");
    }

    public async ValueTask<IReadOnlyList<RingStep>?> MemberStepsAsync(RoutingContext context, string loginId, TimeSpan huntTime)
    {
        var member = new RoutingParty.User(loginId);
        if (await context.SettingsOf<AutoPilotSettings>(member) is not { } settings) return null;
        // An immediate forward or DND bypasses auto-pilot; the hunt then treats the member like any other.
        if (await context.SettingsOf<DndSettings>(member) is { Active: true }) return null;
        if (await context.SettingsOf<RedirectionSettings>(member) is { Always: not null }) return null;
        return await StepsAsync(context, loginId, settings);
    }

    private static async ValueTask<IReadOnlyList<RingStep>> StepsAsync(RoutingContext context, string loginId, AutoPilotSettings settings)
    {
        var times = settings.Times ?? context.Options.AutoPilot;
        var desk = Step("desk", new CallTarget.DevicesOfKind(loginId, DeviceKind.DeskPhone), times.Desk);
        var mobile = Step("mobile client", new CallTarget.DevicesOfKind(loginId, DeviceKind.MobileClient), times.MobileClient);
        switch (settings.Preferred)
        {
            case PreferredDevice.WorkPhone:
                return [desk];
            case PreferredDevice.MobileClient:
                return [mobile];
            case PreferredDevice.AddedDevice when settings.AddedDevice is { Number: { } number } added:
                TimeSpan? rna = added.MaxRingSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
                return [new RingStep(added.Name, [new RingBranch(new CallTarget.ExternalNumber(number), MaxRingTime: rna)], rna)];
        }
        if (await context.Availability.IsMobileClientReachableAsync(loginId, context.CallerGone)) return [mobile, desk];
        return settings is { RouteCallsToCell: true, CellNumber: { } cell }
            ? [desk, Step("cell", new CallTarget.ExternalNumber(cell), times.Cell)]
            : [desk];
    }

    private static RingStep Step(string label, CallTarget target, TimeSpan ringTime) =>
        new(label, [new RingBranch(target, MaxRingTime: ringTime)], ringTime);
}
