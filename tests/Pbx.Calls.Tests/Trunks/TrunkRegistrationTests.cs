using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pbx.Calls.Trunks;

namespace Pbx.Calls.Tests.Trunks;

public sealed class TrunkRegistrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly RegistrationRetry Retry = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), UseJitter: false);

    /// <summary>Answers REGISTERs from a script and notes when each came, on the fake clock.</summary>
    private sealed class ScriptedRegistrar(FakeTimeProvider time, params RegisterResult[] answers) : IRegisterTransport
    {
        private readonly ConcurrentQueue<RegisterResult> _answers = new(answers);

        public ConcurrentQueue<DateTimeOffset> Attempts { get; } = new();

        public Task<RegisterResult> RegisterAsync(int expirySeconds, CancellationToken cancellation)
        {
            Attempts.Enqueue(time.GetUtcNow());
            return Task.FromResult(_answers.TryDequeue(out var answer) ? answer : new RegisterResult(200, "OK", expirySeconds));
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5)) throw new TimeoutException("condition not reached");
            await Task.Delay(5);
        }
        // The loop goes on to arm its timer right after the state changed; let it before the clock moves.
        await Task.Delay(50);
    }

    [Fact]
    public async Task A_refused_registration_is_failing_with_the_code_and_retried_until_it_succeeds_then_refreshed()
    {
        var time = new FakeTimeProvider(Start);
        var registrar = new ScriptedRegistrar(time, new RegisterResult(403, "Forbidden", 0), new RegisterResult(200, "OK", 120));
        await using var registration = new TrunkRegistration("provider", 600, registrar, Retry, time, NullLogger.Instance);

        registration.Start();
        await UntilAsync(() => registration.State is TrunkRegistrationState.Failing);
        var failing = Assert.IsType<TrunkRegistrationState.Failing>(registration.State);
        Assert.Equal(403, failing.LastStatus);
        Assert.Equal("Forbidden", failing.LastReason);
        Assert.Equal(Start.AddSeconds(5), failing.NextAttemptAt);

        time.Advance(TimeSpan.FromSeconds(5));
        await UntilAsync(() => registration.State is TrunkRegistrationState.Registered);
        var registered = Assert.IsType<TrunkRegistrationState.Registered>(registration.State);
        Assert.Equal(Start.AddSeconds(5 + 120), registered.ExpiresAt);
        Assert.Equal(Start.AddSeconds(5 + 60), registered.RefreshAt);

        time.Advance(TimeSpan.FromSeconds(60));
        await UntilAsync(() => registrar.Attempts.Count == 3);
        Assert.Equal([Start, Start.AddSeconds(5), Start.AddSeconds(65)], registrar.Attempts.ToArray());
    }

    [Fact]
    public async Task Retries_back_off_exponentially_up_to_the_cap()
    {
        var time = new FakeTimeProvider(Start);
        var unanswered = new RegisterResult(408, "Request Timeout", 0);
        var registrar = new ScriptedRegistrar(time, unanswered, unanswered, unanswered, unanswered, unanswered);
        await using var registration = new TrunkRegistration("provider", 600, registrar, Retry, time, NullLogger.Instance);

        registration.Start();
        var waits = new List<double>();
        for (var failure = 1; failure <= 5; failure++)
        {
            await UntilAsync(() => registration.State is TrunkRegistrationState.Failing f && f.Failures == failure);
            var state = (TrunkRegistrationState.Failing)registration.State;
            Assert.Equal(408, state.LastStatus);
            var wait = state.NextAttemptAt - time.GetUtcNow();
            waits.Add(wait.TotalSeconds);
            time.Advance(wait);
        }
        await UntilAsync(() => registration.State is TrunkRegistrationState.Registered);

        Assert.Equal([5, 10, 20, 30, 30], waits);
        Assert.Equal(6, registrar.Attempts.Count);
    }

    [Fact]
    public async Task A_transport_exception_counts_as_503_and_is_retried()
    {
        var time = new FakeTimeProvider(Start);
        await using var registration = new TrunkRegistration("provider", 600, new ThrowingRegistrar(), Retry, time, NullLogger.Instance);

        registration.Start();
        await UntilAsync(() => registration.State is TrunkRegistrationState.Failing);

        var failing = Assert.IsType<TrunkRegistrationState.Failing>(registration.State);
        Assert.Equal(503, failing.LastStatus);
        Assert.Contains("no such host", failing.LastReason);
    }

    private sealed class ThrowingRegistrar : IRegisterTransport
    {
        public Task<RegisterResult> RegisterAsync(int expirySeconds, CancellationToken cancellation) =>
            throw new System.Net.Sockets.SocketException(11001, "no such host");
    }

    [Theory]
    [InlineData(3600, 3540)]
    [InlineData(120, 60)]
    [InlineData(60, 30)]
    public void Refresh_comes_a_minute_early_or_halfway_for_short_grants(int granted, int refreshAfter) =>
        Assert.Equal(TimeSpan.FromSeconds(refreshAfter), TrunkRegistration.RefreshDelay(granted));
}
