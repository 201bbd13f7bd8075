namespace Pbx.Sip.Auth;

public sealed record DigestOptions
{
    /// <summary>Key for nonce and opaque HMACs; at least 32 bytes. Keep it across restarts or clients see stale nonces.</summary>
    public required byte[] ServerSecret { get; init; }

    /// <summary>How long a nonce is accepted; older ones get stale=true. Default 5 minutes.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithms offered, in order of preference (RFC 8760: SHA-256 before MD5).</summary>
    public IReadOnlyList<DigestAlgorithm> Algorithms { get; init; } = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5];

    /// <summary>Nonces whose nonce-count is remembered; beyond it the oldest are forgotten (their next use is answered stale).</summary>
    public int MaxTrackedNonces { get; init; } = 100_000;

    internal void Validate()
    {
        if (ServerSecret is null || ServerSecret.Length < 32) throw new ArgumentException("ServerSecret must be at least 32 bytes.", nameof(ServerSecret));
        if (NonceLifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(NonceLifetime));
        if (Algorithms.Count == 0) throw new ArgumentException("At least one algorithm is required.", nameof(Algorithms));
        if (MaxTrackedNonces < 16) throw new ArgumentOutOfRangeException(nameof(MaxTrackedNonces));
    }
}
