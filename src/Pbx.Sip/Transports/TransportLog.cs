using System.Net;
using Microsoft.Extensions.Logging;

namespace Pbx.Sip.Transports;

/// <summary>Log messages of the TLS and WebSocket transports (event IDs 3030-3039; TCP keeps 3020/3021 in SipLog).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "{Transport} connection {ConnectionId} from {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, SipTransportKind transport, long connectionId, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Warning, Message = "{Transport} connection refused: {Count} connections open (limit)")]
    public static partial void ConnectionRefused(ILogger logger, SipTransportKind transport, int count);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Debug, Message = "{Transport} handshake with {Remote} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, SipTransportKind transport, IPEndPoint remote, string reason);

    public static void Closed(ILogger logger, SipTransportKind transport, long connectionId, IPEndPoint remote, string reason)
    {
        if (transport == SipTransportKind.Tcp) SipLog.TcpClosed(logger, connectionId, remote, reason);
        else ConnectionClosed(logger, transport, connectionId, remote, reason);
    }

    public static void Refused(ILogger logger, SipTransportKind transport, int count)
    {
        if (transport == SipTransportKind.Tcp) SipLog.TcpRefused(logger, count);
        else ConnectionRefused(logger, transport, count);
    }
}
