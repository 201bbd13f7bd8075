using System.Net;

namespace Pbx.Media.Ports;

/// <summary>Port range for relay sockets. Both bounds are inclusive; a pair is an even RTP port and RTP+1 for RTCP.</summary>
public sealed class RtpPortAllocatorOptions
{
    public int MinPort { get; set; } = 10000;
    public int MaxPort { get; set; } = 20000;
    /// <summary>Address the relay sockets bind to; IPv6Any binds dual-stack.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    internal void Validate()
    {
        if (MinPort < 1 || MaxPort > 65535 || MinPort > MaxPort)
            throw new ArgumentOutOfRangeException(nameof(MinPort), $"Invalid RTP port range {MinPort}-{MaxPort}.");
        var firstRtpPort = MinPort + (MinPort & 1);
        if (firstRtpPort + 1 > MaxPort)
            throw new ArgumentOutOfRangeException(nameof(MaxPort), $"RTP port range {MinPort}-{MaxPort} holds no even/odd pair.");
    }
}

public enum RtpPortAllocationStatus
{
    Allocated,
    /// <summary>Every pair of the range is held by a live lease.</summary>
    Exhausted,
    /// <summary>Some pairs were free for us but the operating system refused to bind all of them (used by other programs).</summary>
    NoBindablePair,
}

public sealed record RtpPortAllocation(RtpPortAllocationStatus Status, RtpPortLease? Lease, string? Reason)
{
    public bool IsSuccess => Status == RtpPortAllocationStatus.Allocated;
}
