namespace Pbx.Calls.Trunks;

/// <summary>Where a trunk's outbound registration stands, as the admin API shows it.</summary>
public abstract record TrunkRegistrationState
{
    private TrunkRegistrationState() { }

    /// <summary>The trunk does not register (Register=false); calls still go out and come in by address.</summary>
    public sealed record Disabled : TrunkRegistrationState;

    /// <summary>The first REGISTER is under way.</summary>
    public sealed record Registering : TrunkRegistrationState;

    public sealed record Registered(DateTimeOffset ExpiresAt, DateTimeOffset RefreshAt) : TrunkRegistrationState;

    /// <summary>The last attempt failed with <paramref name="LastStatus"/> (408 when unanswered); the next one is scheduled.</summary>
    public sealed record Failing(int LastStatus, string LastReason, DateTimeOffset NextAttemptAt, int Failures) : TrunkRegistrationState;
}

/// <summary>The final answer to one REGISTER round (challenge already answered), as the state machine sees it.</summary>
/// <param name="GrantedSeconds">The expiry the registrar granted; only meaningful on success.</param>
internal sealed record RegisterResult(int Status, string Reason, int GrantedSeconds)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>Sends one REGISTER (answering a digest challenge) and reports the final answer; SIP or a fake in tests.</summary>
internal interface IRegisterTransport
{
    Task<RegisterResult> RegisterAsync(int expirySeconds, CancellationToken cancellation);
}

/// <summary>Backoff after a failed registration: exponential from <see cref="FirstDelay"/>, capped at <see cref="MaxDelay"/>.</summary>
public sealed record RegistrationRetry(TimeSpan FirstDelay, TimeSpan MaxDelay, bool UseJitter)
{
    // Jitter keeps many PBXs behind one provider from retrying in lockstep after an outage.
    public static RegistrationRetry Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), UseJitter: true);
}
