using System.Net;
using Microsoft.Extensions.Logging;

namespace Pbx.Media.Relay;

internal static partial class RelayLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Relay {Session} started: leg A on {LegARtpPort}/{LegARtcpPort}, leg B on {LegBRtpPort}/{LegBRtcpPort}")]
    public static partial void Started(ILogger logger, string session, int legARtpPort, int legARtcpPort, int legBRtpPort, int legBRtcpPort);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Relay {Session} leg {Leg} {Kind} latched to {Source}")]
    public static partial void Latched(ILogger logger, string session, RelayLeg leg, RelayStreamKind kind, IPEndPoint? source);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Relay {Session} leg {Leg} unlocked for re-latching")]
    public static partial void Relatch(ILogger logger, string session, RelayLeg leg);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Relay {Session} leg {Leg} {Kind} receive failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string session, RelayLeg leg, RelayStreamKind kind, string error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Relay {Session} leg {Leg} {Kind} stopped forwarding after {Count} consecutive receive errors")]
    public static partial void GaveUp(ILogger logger, string session, RelayLeg leg, RelayStreamKind kind, int count);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Relay {Session} stopped: RTP A->B {AToB} packets, B->A {BToA} packets")]
    public static partial void Stopped(ILogger logger, string session, long aToB, long bToA);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Relay {Session} leg {Leg} {Kind} forwarding loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string session, RelayLeg leg, RelayStreamKind kind);
}
