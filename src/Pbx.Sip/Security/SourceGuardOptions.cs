using System.Net;

namespace Pbx.Sip.Security;

public sealed record SourceGuardOptions
{
    /// <summary>This many failed authentications from one address within <see cref="FailureWindow"/> ban it.</summary>
    public int FailureLimit { get; init; } = 5;
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A banned address gets no answer at all for this long.</summary>
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Messages per second one address may send before the rest are dropped (0: no limit).</summary>
    public int RequestsPerSecond { get; init; } = 200;
    /// <summary>Addresses never banned or rate limited, e.g. a trunk provider's or a monitoring host's.</summary>
    public IReadOnlyList<IPNetwork> Trusted { get; init; } = [];
    /// <summary>When not empty, only these networks may register.</summary>
    public IReadOnlyList<IPNetwork> RegisterAllow { get; init; } = [];
    /// <summary>These networks may never register (checked after the allow list).</summary>
    public IReadOnlyList<IPNetwork> RegisterDeny { get; init; } = [];
    /// <summary>Bound on tracked addresses so a spoofed flood cannot grow memory without limit.</summary>
    public int MaxTrackedSources { get; init; } = 100_000;
}
