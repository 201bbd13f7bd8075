using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>
/// Decides where an incoming call rings and what happens when nobody answers, and carries it out through
/// <see cref="RingStepRunner"/>. A pipeline of modules in a fixed order (see <see cref="StandardModules"/>):
/// <list type="number">
/// <item>Offer stage: each offer module in order may reject, redirect or choose the ring plan; the first decision wins.</item>
/// <item>Ring stage: the plan's steps run one after another, each cut to the party's ring time limit.</item>
/// <item>Failure stage: when the plan is exhausted or its time is up, failure modules may redirect (busy/timeout).</item>
/// </list>
/// A redirect to an internal number routes that number's owner from the top, up to
/// <see cref="RoutingOptions.MaxRedirectHops"/> times.
/// </summary>
public sealed class RoutingEngine
{
    private readonly ILegFactory _legs;
    private readonly IRoutingSettings _settings;
    private readonly IDeviceAvailability _availability;
    private readonly TimeProvider _time;
    private readonly RoutingOptions _options;
    private readonly IReadOnlyList<IRoutingModule> _modules;

    /// <param name="modules">The pipeline in evaluation order (see <see cref="StandardModules"/>).</param>
    public RoutingEngine(ILegFactory legs, IRoutingSettings settings, IDeviceAvailability availability,
        TimeProvider time, RoutingOptions options, IReadOnlyList<IRoutingModule> modules)
    {
        _legs = legs;
        _settings = settings;
        _availability = availability;
        _time = time;
        _options = options;
        _modules = modules;
    }

    public RoutingEngine(ILegFactory legs, IRoutingSettings settings, IDeviceAvailability availability, TimeProvider time,
        RoutingOptions? options = null)
        : this(legs, settings, availability, time, options ?? RoutingOptions.Default, StandardModules()) { }

    /// <summary>
    /// The documented evaluation order. Offer: blacklist → always redirection → DND → busy/timeout redirection
    /// (presence busy; sets the ring time limit) → auto-pilot → iFMC → group parallel ringing → call hunting →
    /// plain device ringing. Failure: busy/timeout redirection. Always comes before DND because an
    /// unconditional forward is the stronger, explicit wish; DND then only has the timeout redirection to use.
    /// </summary>
    public static IReadOnlyList<IRoutingModule> StandardModules() =>
    [
        new BlacklistModule(),
        new AlwaysRedirectionModule(),
        new DndModule(),
        new BusyAndTimeoutRedirectionModule(),
        new AutoPilotModule(),
        new IfmcModule(),
        new GroupRingingModule(),
        new CallHuntingModule(),
        new DeviceRingingModule(),
    ];

    public async Task<RoutedCall> RouteAsync(IncomingCall call, CancellationToken callerGone)
    {
        var trace = new RoutingTrace(_time);
        var runner = new RingStepRunner(new TracingLegFactory(_legs, trace), _time);
        var outcome = await RouteNumberAsync(call, call.CalledNumber, hop: 0, runner, trace, callerGone);
        return new RoutedCall(outcome, trace.Snapshot());
    }

    /// <summary>Whether a user may place an outgoing call (call barring); the B2BUA asks before dialling out.</summary>
    public ValueTask<BarringVerdict> AuthorizeOutgoingAsync(OutgoingCall call, CancellationToken cancellation) =>
        CallBarring.CheckOutgoingAsync(_settings, call, cancellation);

    private async Task<RoutingOutcome> RouteNumberAsync(IncomingCall call, string number, int hop, RingStepRunner runner,
        RoutingTrace trace, CancellationToken callerGone)
    {
        if (await _settings.FindOwnerAsync(number, callerGone) is not { } party)
            return new RoutingOutcome.Failed(RoutingFailure.UnknownNumber, $"{number} belongs to nobody");

        var context = new RoutingContext(call, party, hop, _settings, _availability, _time, _options,
            [.. _modules.OfType<IMemberDelivery>()], trace, callerGone);
        object? decision = await OfferAsync(context);
        if (decision is RoutingDecision.Ring ring) decision = await RingAsync(context, ring.Plan, runner);
        return decision switch
        {
            RoutingOutcome outcome => outcome,
            RoutingDecision.RejectBusy reject => new RoutingOutcome.RejectedBusy(party, reject.Reason),
            RoutingDecision.Redirect redirect => await FollowAsync(context, redirect, runner, trace),
            _ => new RoutingOutcome.Failed(RoutingFailure.Unavailable, "no module offered a way to ring the party"),
        };
    }

    private async Task<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        foreach (var module in _modules.OfType<IOfferStage>())
        {
            if (await module.OfferAsync(context) is not { } decision) continue;
            context.Note(module.Name, Describe(decision));
            return decision;
        }
        return null;
    }

    /// <returns>A <see cref="RoutingOutcome"/> when ringing settled the call, otherwise the decision to carry out.</returns>
    private async Task<object> RingAsync(RoutingContext context, IRingPlan plan, RingStepRunner runner)
    {
        LegFailure? previous = null;
        while (true)
        {
            if (RingTimeLeft(context) is { } left && left <= TimeSpan.Zero)
                return await FailAsync(context, new RingFailure(previous ?? LegFailure.NoAnswer, RingTimeUsedUp: true));

            var next = await plan.NextAsync(context, previous);
            if (next is null) return await FailAsync(context, new RingFailure(previous ?? LegFailure.Unavailable, false));
            if (next is not RoutingDecision.RingNext { Step: var step })
            {
                context.Note("ring plan", Describe(next));
                return next;
            }

            var result = await runner.RunAsync(Constrain(step, context), context.Call.Caller, context.CallerGone);
            switch (result)
            {
                case RingResult.Answered answered:
                    return new RoutingOutcome.Answered(context.Party, answered.Branch, answered.Leg);
                case RingResult.CallerGone:
                    return new RoutingOutcome.CallerGone();
                case RingResult.NotAnswered notAnswered:
                    previous = notAnswered.Reason;
                    break;
            }
        }
    }

    private static TimeSpan? RingTimeLeft(RoutingContext context) => context.RingTimeLimit - context.Elapsed;

    /// <summary>Cuts the step to the party's ring time and applies end-on-busy.</summary>
    private static RingStep Constrain(RingStep step, RoutingContext context)
    {
        var timeout = step.Timeout;
        if (RingTimeLeft(context) is { } left && (timeout is null || left < timeout)) timeout = left;
        return step with { Timeout = timeout, EndOnBusy = step.EndOnBusy || context.EndStepsOnBusy };
    }

    private async Task<object> FailAsync(RoutingContext context, RingFailure failure)
    {
        foreach (var module in _modules.OfType<IFailureStage>())
        {
            if (await module.FailureAsync(context, failure) is not { } decision) continue;
            context.Note(module.Name, Describe(decision));
            return decision;
        }
        return failure.Reason switch
        {
            LegFailure.Busy => new RoutingDecision.RejectBusy("every device busy"),
            LegFailure.Unavailable => new RoutingOutcome.Failed(RoutingFailure.Unavailable, "nothing could ring"),
            _ => new RoutingOutcome.Failed(RoutingFailure.NoAnswer, "nobody answered"),
        };
    }

    private async Task<RoutingOutcome> FollowAsync(RoutingContext from, RoutingDecision.Redirect redirect,
        RingStepRunner runner, RoutingTrace trace)
    {
        if (redirect.Destination is RedirectDestination.Mailbox mailbox)
            return new RoutingOutcome.ToVoicemail(mailbox.MailboxId);
        var number = ((RedirectDestination.Number)redirect.Destination).Value;
        if (from.Hop + 1 > _options.MaxRedirectHops)
            return new RoutingOutcome.Failed(RoutingFailure.RedirectLoop,
                $"more than {_options.MaxRedirectHops} redirects; last one to {number}");
        if (await _settings.FindOwnerAsync(number, from.CallerGone) is not null)
            return await RouteNumberAsync(from.Call, number, from.Hop + 1, runner, trace, from.CallerGone);
        return E164.IsValid(number)
            ? new RoutingOutcome.Redirected(number, from.Call.Caller)
            : new RoutingOutcome.Failed(RoutingFailure.InvalidDestination, $"{number} is neither internal nor E.164");
    }

    private static string Describe(object decision) => decision switch
    {
        RoutingDecision.RejectBusy reject => $"busy: {reject.Reason}",
        RoutingDecision.Redirect { Destination: RedirectDestination.Number n } r => $"redirect to {n.Value}: {r.Reason}",
        RoutingDecision.Redirect { Destination: RedirectDestination.Mailbox m } r => $"to mailbox {m.MailboxId}: {r.Reason}",
        RoutingDecision.Ring ring => $"ring: {ring.Description}",
        RoutingOutcome.Failed failed => $"failed: {failed.Detail}",
        _ => decision.ToString() ?? "",
    };
}

/// <summary>The E.164 shape: '+', a non-zero digit, at most 15 digits in all.</summary>
internal static class E164
{
    public static bool IsValid(string number) =>
        number.Length is >= 3 and <= 16 && number[0] == '+' && number[1] != '0' && number.Skip(1).All(char.IsAsciiDigit);
}
