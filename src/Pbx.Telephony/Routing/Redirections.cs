using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>A timeout redirection: the party rings for <see cref="Seconds"/> (5–120), then the call goes on.</summary>
public sealed record TimeoutRedirection
{
    public TimeoutRedirection(RedirectDestination destination, int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 5);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, 120);
        Destination = destination;
        Seconds = seconds;
    }

    public RedirectDestination Destination { get; }
    public int Seconds { get; }
}

/// <summary>
/// A user's or group number's redirections; null means that kind is off.
/// <paramref name="ExceptionCallers"/> are login IDs or numbers whose calls bypass every redirection.
/// </summary>
public sealed record RedirectionSettings(
    RedirectDestination? Always = null,
    RedirectDestination? Busy = null,
    TimeoutRedirection? Timeout = null,
    IReadOnlySet<string>? ExceptionCallers = null)
{
    public bool IsException(IncomingCall call) =>
        ExceptionCallers is { } exceptions
        && (exceptions.Contains(call.Caller.Number) || call.CallerLoginId is { } login && exceptions.Contains(login));
}

/// <summary>The always redirection: takes the call before anything rings (and before DND).</summary>
public sealed class AlwaysRedirectionModule : IOfferStage
{
    public string Name => "always redirection";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        var settings = await context.SettingsOfParty<RedirectionSettings>();
        return settings?.Always is { } destination && !settings.IsException(context.Call)
            ? new RoutingDecision.Redirect(destination, "always")
            : null;
    }
}

/// <summary>
/// Busy and timeout redirections. At offer time it sets the ring time limit (the timeout's seconds), asks steps to
/// end on the first busy device (users only: in a group one member's busy must not end the group), and forwards a
/// user already busy on all devices at once. At failure time it forwards: busy → busy destination; no answer,
/// time used up or nothing reachable → timeout destination, which therefore takes effect at once when no device is
/// registered.
/// </summary>
public sealed class BusyAndTimeoutRedirectionModule : IOfferStage, IFailureStage
{
    public string Name => "busy/timeout redirection";

    public async ValueTask<RoutingDecision?> OfferAsync(RoutingContext context)
    {
        var settings = await context.SettingsOfParty<RedirectionSettings>();
        if (settings is null || settings.IsException(context.Call)) return null;
        if (settings.Timeout is { } timeout) context.LimitRingTime(TimeSpan.FromSeconds(timeout.Seconds));
        if (settings.Busy is not { } busy || context.Party is not RoutingParty.User user) return null;
        context.EndStepsOnBusy = true;
        return await context.Availability.IsBusyOnCallAsync(user.LoginId, context.CallerGone)
            ? new RoutingDecision.Redirect(busy, "busy on all devices")
            : null;
    }

    public async ValueTask<RoutingDecision?> FailureAsync(RoutingContext context, RingFailure failure)
    {
        var settings = await context.SettingsOfParty<RedirectionSettings>();
        if (settings is null || settings.IsException(context.Call)) return null;
        if (failure.Reason == LegFailure.Busy && !failure.RingTimeUsedUp && settings.Busy is { } busy)
            return new RoutingDecision.Redirect(busy, "busy");
        // Busy without a busy redirection stays busy for the caller; the timeout redirection is for no answer.
        if (settings.Timeout is not { } timeout || failure.Reason == LegFailure.Busy && !failure.RingTimeUsedUp) return null;
        return new RoutingDecision.Redirect(timeout.Destination, failure.RingTimeUsedUp ? "timeout" : $"{failure.Reason}");
    }
}
