using System.Net;
using Microsoft.Extensions.Logging;

namespace Pbx.Media.Endpoint;

internal static partial class EndpointLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Media endpoint {Endpoint} started on RTP port {Port} with {Codec}")]
    public static partial void Started(ILogger logger, string endpoint, int port, string codec);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Media endpoint {Endpoint} latched to {Source}")]
    public static partial void Latched(ILogger logger, string endpoint, IPEndPoint? source);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "Media endpoint {Endpoint} stopped receiving after {Count} consecutive errors")]
    public static partial void GaveUp(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Media endpoint {Endpoint} receive loop failed")]
    public static partial void ReceiveLoopFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Debug, Message = "Media endpoint {Endpoint} stopped: {Sent} packets sent, {Received} received")]
    public static partial void Stopped(ILogger logger, string endpoint, long sent, long received);
}
