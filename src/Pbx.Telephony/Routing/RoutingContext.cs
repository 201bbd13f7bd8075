using Pbx.Telephony.Calls;

namespace Pbx.Telephony.Routing;

/// <summary>System-wide routing defaults; per-user and per-group settings override them where the feature allows.</summary>
/// <param name="UnansweredAfter">How long a party rings when nothing limits it (no timeout redirection).</param>
/// <param name="HuntMemberRingTime">How long call hunting rings each member.</param>
/// <param name="MaxRedirectHops">Redirects followed for one call before it is treated as a loop.</param>
public sealed record RoutingOptions(
    TimeSpan UnansweredAfter,
    TimeSpan HuntMemberRingTime,
    AutoPilotTimes AutoPilot,
    int MaxRedirectHops = 5)
{
    public static RoutingOptions Default { get; } =
        new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), AutoPilotTimes.Default);
}

/// <summary>
/// Everything a module may look at for the party being routed, plus the ring constraints offer modules set for the
/// steps that follow. One context per party: a redirect to another user starts a fresh one.
/// </summary>
public sealed class RoutingContext
{
    private readonly RoutingTrace _trace;

    internal RoutingContext(IncomingCall call, RoutingParty party, int hop, IRoutingSettings settings,
        IDeviceAvailability availability, TimeProvider time, RoutingOptions options,
        IReadOnlyList<IMemberDelivery> memberDelivery, RoutingTrace trace, CancellationToken callerGone)
    {
        Call = call;
        Party = party;
        Hop = hop;
        Settings = settings;
        Availability = availability;
        Time = time;
        Options = options;
        MemberDelivery = memberDelivery;
        CallerGone = callerGone;
        _trace = trace;
        PartyStartedAt = trace.Now;
    }

    public IncomingCall Call { get; }
    public RoutingParty Party { get; }
    /// <summary>0 for the dialled party, 1 after the first redirect, and so on.</summary>
    public int Hop { get; }
    public IRoutingSettings Settings { get; }
    public IDeviceAvailability Availability { get; }
    public TimeProvider Time { get; }
    public RoutingOptions Options { get; }
    public CancellationToken CallerGone { get; }
    internal IReadOnlyList<IMemberDelivery> MemberDelivery { get; }

    /// <summary>When this party started ringing, on the call's clock.</summary>
    public TimeSpan PartyStartedAt { get; }

    /// <summary>How long this party has been handled so far.</summary>
    public TimeSpan Elapsed => _trace.Now - PartyStartedAt;

    /// <summary>The party's total ring time; every step is cut short so ringing ends there. Null: no limit.</summary>
    public TimeSpan? RingTimeLimit { get; private set; }

    /// <summary>How long a single-step plan rings: the party's limit when one is set (a 90 s timeout redirection
    /// must not be cut to the system default), else <see cref="RoutingOptions.UnansweredAfter"/>.</summary>
    public TimeSpan PartyRingTime => RingTimeLimit ?? Options.UnansweredAfter;

    /// <summary>A busy or declining device ends the step at once (set when a busy redirection waits for it).</summary>
    public bool EndStepsOnBusy { get; set; }

    /// <summary>Keeps the shortest limit, so a module can only tighten what another set.</summary>
    public void LimitRingTime(TimeSpan limit) => RingTimeLimit = RingTimeLimit is { } existing && existing < limit ? existing : limit;

    public ValueTask<T?> SettingsOf<T>(RoutingParty party) where T : class => Settings.GetAsync<T>(party, CallerGone);

    public ValueTask<T?> SettingsOfParty<T>() where T : class => Settings.GetAsync<T>(Party, CallerGone);

    public void Note(string module, string what) =>
        _trace.Add(at => new RoutingTraceEntry.Decision(at, Party, module, what));

    /// <summary>The steps that ring a group member: the first member-delivery module's, or the member's devices.</summary>
    public async ValueTask<IReadOnlyList<RingStep>> MemberStepsAsync(string loginId, TimeSpan huntTime)
    {
        foreach (var delivery in MemberDelivery)
            if (await delivery.MemberStepsAsync(this, loginId, huntTime) is { } steps) return steps;
        return [new RingStep($"member {loginId}", [new RingBranch(new CallTarget.AllDevicesOf(loginId))], huntTime)];
    }
}
