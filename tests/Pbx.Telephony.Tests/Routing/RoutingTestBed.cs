using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;

namespace Pbx.Telephony.Tests.Routing;

/// <summary>An engine on a virtual clock with scripted legs, in-memory settings and presence, and trace helpers.</summary>
internal sealed class RoutingTestBed
{
    public static readonly CallerIdentity Caller = new("+4930111222", "Bob");

    public RoutingTestBed(DateTimeOffset? start = null, RoutingOptions? options = null)
    {
        Clock = new VirtualClock(start ?? new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        Legs = new FakeLegs(Clock);
        Engine = new RoutingEngine(Legs, Settings, Availability, Clock, options);
    }

    public VirtualClock Clock { get; }
    public FakeLegs Legs { get; }
    public InMemoryRoutingSettings Settings { get; } = new();
    public InMemoryDeviceAvailability Availability { get; } = new();
    public RoutingEngine Engine { get; }
    public RoutedCall? Routed { get; private set; }

    public static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);
    public static CallTarget All(string login) => new CallTarget.AllDevicesOf(login);
    public static CallTarget Desk(string login) => new CallTarget.DevicesOfKind(login, DeviceKind.DeskPhone);
    public static CallTarget Mobile(string login) => new CallTarget.DevicesOfKind(login, DeviceKind.MobileClient);
    public static CallTarget External(string e164) => new CallTarget.ExternalNumber(e164);
    public static RoutingParty.User UserParty(string login) => new(login);

    /// <summary>Gives the user an internal number equal to the login ID with an "x" prefix, e.g. "x-alice".</summary>
    public RoutingTestBed User(string login, params string[] numbers)
    {
        foreach (var number in numbers.Append($"x-{login}")) Settings.AddNumber(number, UserParty(login));
        return this;
    }

    /// <summary>Routes a call to <paramref name="number"/> and lets the clock run for <paramref name="runFor"/>.</summary>
    public async Task<RoutingOutcome> CallAsync(string number, TimeSpan runFor, string? callerLoginId = null,
        CallerIdentity? caller = null, CancellationToken callerGone = default)
    {
        var routing = Engine.RouteAsync(new IncomingCall(caller ?? Caller, number, callerLoginId), callerGone);
        _ = routing.ContinueWith(_ => EndedAt = Clock.Elapsed.TotalSeconds, TaskContinuationOptions.ExecuteSynchronously);
        await Clock.AdvanceAsync(runFor);
        await VirtualClock.Settle();
        Assert.True(routing.IsCompleted, "routing should have ended within the time the test allowed");
        Routed = await routing;
        return Routed.Outcome;
    }

    public IReadOnlyList<RoutingTraceEntry> Trace => Routed?.Trace ?? throw new InvalidOperationException("no call routed");

    /// <summary>(target, second it started) for every leg, in start order.</summary>
    public IReadOnlyList<(CallTarget Target, double At)> Started =>
        [.. Trace.OfType<RoutingTraceEntry.LegStarted>().Select(e => (e.Target, e.At.TotalSeconds))];

    /// <summary>(target, second routing cancelled it) for every leg routing stopped.</summary>
    public IReadOnlyList<(CallTarget Target, double At)> Cancelled =>
        [.. Trace.OfType<RoutingTraceEntry.LegEnded>().Where(e => e.Reason == LegFailure.Cancelled)
            .Select(e => (e.Target, e.At.TotalSeconds))];

    /// <summary>The virtual second at which routing returned its outcome.</summary>
    public double EndedAt { get; private set; } = double.NaN;

    public IReadOnlyList<string> Decisions => [.. Trace.OfType<RoutingTraceEntry.Decision>().Select(d => $"{d.Module}: {d.What}")];
}
