namespace Pbx.Sip.Registrar;

public sealed record RegistrarOptions
{
    public required string Realm { get; init; }

    /// <summary>Shorter registrations get 423 Interval Too Brief with this Min-Expires (RFC 3261 §10.3 step 7).</summary>
    public int MinExpiresSeconds { get; init; } = 60;

    /// <summary>Longer requests are shortened to this; phones behind NAT should re-register well within it.</summary>
    public int MaxExpiresSeconds { get; init; } = 3600;

    public int DefaultExpiresSeconds { get; init; } = 3600;

    /// <summary>A new contact beyond this replaces the one that expires soonest.</summary>
    public int MaxContactsPerAor { get; init; } = 10;
}
