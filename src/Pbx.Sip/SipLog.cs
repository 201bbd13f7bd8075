using System.Net;
using Microsoft.Extensions.Logging;

namespace Pbx.Sip;

/// <summary>Source-generated log messages with stable event IDs (3000-3099 belong to Pbx.Sip).</summary>
internal static partial class SipLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "MALFORMED message from {Source} dropped: {Error} {Reason}")]
    public static partial void MalformedMessage(ILogger logger, string source, string error, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "OVERLOAD: {Count} transactions live, answering 503 to {Source}")]
    public static partial void Overload(ILogger logger, int count, string source);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Transaction user threw while handling a message")]
    public static partial void HandlerError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "SEND FAILED to {Destination}: transaction {Key} ends with 503")]
    public static partial void SendFailed(ILogger logger, string destination, string key);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Response with {ViaCount} Via values discarded (RFC 3261 §8.1.3.3) from {Source}")]
    public static partial void SeveralVias(ILogger logger, int viaCount, string source);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "UDP receive error on {Local}, continuing")]
    public static partial void UdpReceiveError(ILogger logger, IPEndPoint local, Exception exception);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "TCP connection {ConnectionId} from {Remote} closed: {Reason}")]
    public static partial void TcpClosed(ILogger logger, long connectionId, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "TCP connection refused: {Count} connections open (limit)")]
    public static partial void TcpRefused(ILogger logger, int count);
}
