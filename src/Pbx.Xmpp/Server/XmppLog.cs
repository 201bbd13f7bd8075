using System.Net;
using Microsoft.Extensions.Logging;

namespace Pbx.Xmpp.Server;

/// <summary>Source-generated log messages; event IDs 4000-4099 are reserved for the XMPP stack.</summary>
internal static partial class XmppLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "XMPP listener started on {EndPoint} (direct TLS: {DirectTls})")]
    public static partial void ListenerStarted(ILogger logger, EndPoint endPoint, bool directTls);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "XMPP listener on {EndPoint} stopped")]
    public static partial void ListenerStopped(ILogger logger, EndPoint endPoint);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Accept failed on {EndPoint}")]
    public static partial void AcceptFailed(ILogger logger, EndPoint endPoint, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Connection limit reached; refusing {Remote}")]
    public static partial void ConnectionLimit(ILogger logger, EndPoint? remote);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Stream error {Condition} to {Remote}: {Text}")]
    public static partial void StreamError(ILogger logger, string condition, EndPoint? remote, string? text);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Debug, Message = "Connection from {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Unexpected failure in session {Remote}")]
    public static partial void SessionFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "TLS handshake with {Remote} failed")]
    public static partial void TlsFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "{User} authenticated from {Remote} with {Mechanism}")]
    public static partial void Authenticated(ILogger logger, string user, IPAddress remote, string mechanism);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Authentication failure from {Remote}: {Condition}")]
    public static partial void AuthenticationFailed(ILogger logger, IPAddress remote, string condition);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Refusing banned address {Remote}")]
    public static partial void BannedAddress(ILogger logger, IPAddress remote);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Resource bound: {Jid}")]
    public static partial void ResourceBound(ILogger logger, string jid);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Information, Message = "Resource unbound: {Jid}")]
    public static partial void ResourceUnbound(ILogger logger, string jid);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Warning, Message = "Send queue of {Jid} overflowed; closing it")]
    public static partial void SendQueueOverflow(ILogger logger, string jid);

    [LoggerMessage(EventId = 4041, Level = LogLevel.Warning, Message = "Dropped an outbound stanza that could not be serialized")]
    public static partial void SerializationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4042, Level = LogLevel.Error, Message = "Chat archive write failed for a message from {From} to {To}; delivered without archiving: {Reason}")]
    public static partial void ArchiveFailed(ILogger logger, string from, string to, string reason);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Error, Message = "Handling a stanza from {Jid} failed")]
    public static partial void StanzaHandlerFailed(ILogger logger, string jid, Exception exception);
}
