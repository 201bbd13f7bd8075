using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Media.Ports;

namespace Pbx.Media.Relay;

public sealed record RtpRelayCreation(RtpRelaySession? Session, RtpPortAllocationStatus Status, string? Reason)
{
    public bool IsSuccess => Session is not null;
}

/// <summary>
/// Creates relay sessions with both port pairs from one allocator, so that a failure halfway (second pair not
/// available) returns the first pair instead of leaking it.
/// </summary>
public sealed class RtpRelaySessionFactory(RtpPortAllocator allocator, RtpRelayOptions? options = null, ILoggerFactory? loggerFactory = null)
{
    private readonly RtpRelayOptions _options = options ?? new RtpRelayOptions();
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RtpRelaySession>();

    /// <summary>Allocates two port pairs and returns a session, not yet started; see the status when ports run out.</summary>
    public RtpRelayCreation Create(string name)
    {
        var legA = allocator.Allocate();
        if (!legA.IsSuccess) return new RtpRelayCreation(null, legA.Status, legA.Reason);
        var legB = allocator.Allocate();
        if (!legB.IsSuccess)
        {
            legA.Lease!.Dispose();
            return new RtpRelayCreation(null, legB.Status, legB.Reason);
        }
        try
        {
            return new RtpRelayCreation(new RtpRelaySession(name, legA.Lease!, legB.Lease!, _options, _logger), RtpPortAllocationStatus.Allocated, null);
        }
        catch
        {
            legA.Lease!.Dispose();
            legB.Lease!.Dispose();
            throw;
        }
    }
}
