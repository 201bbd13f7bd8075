using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Pbx.Sip.Transports.Sockets;

namespace Pbx.Sip.Transports.WebSockets;

/// <summary>
/// One upgraded connection: every WebSocket message (text or binary) is exactly one SIP message (RFC 7118 §5), limited
/// to the configured size; a message of nothing but CRLFs is a keep-alive, and a double CRLF is answered with a CRLF
/// as SIP.js and JsSIP expect. Writes are serialized (a WebSocket allows one send at a time).
/// </summary>
internal sealed class WebSocketConnection : SipConnectionBase
{
    private const int InitialBufferSize = 4 * 1024;
    private static readonly byte[] Pong = "\r\n"u8.ToArray();

    private readonly WebSocket _webSocket;

    /// <remarks>The stream under the WebSocket calls <see cref="SipConnectionBase.Touch"/> for every byte, control frames included.</remarks>
    public WebSocketConnection(long id, SipTransportKind kind, Socket socket, WebSocket webSocket, IPEndPoint remote, TimeProvider time)
        : base(id, kind, socket, remote, time)
    {
        _webSocket = webSocket;
    }

    public async Task RunAsync(ISipReceiver receiver, int maxMessageSize, ILogger log)
    {
        try
        {
            await ReceiveLoopAsync(receiver, maxMessageSize).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            CloseReason = "receive loop failed: " + ex.GetType().Name;
        }
        finally
        {
            await ReleaseAsync(log, () =>
            {
                _webSocket.Dispose();
                Socket.Dispose();
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(ISipReceiver receiver, int maxMessageSize)
    {
        // Most SIP messages fit the small buffer; a bigger one is rented for that message only and given back, so a
        // connection never pins more than it currently needs. Capacity tops out at max + 1 to detect "too big".
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, maxMessageSize + 1));
        int filled = 0;
        try
        {
            while (!IsClosed)
            {
                // The pool may hand out more than asked for; never read past max + 1 whatever the array's size.
                int capacity = Math.Min(buffer.Length, maxMessageSize + 1);
                if (filled == capacity)
                {
                    buffer = Grow(buffer, filled, maxMessageSize + 1);
                    capacity = Math.Min(buffer.Length, maxMessageSize + 1);
                }
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await _webSocket.ReceiveAsync(buffer.AsMemory(filled, capacity - filled), ClosedToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
                {
                    if (ex is WebSocketException) CloseReason = ex.Message;
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason = $"remote closed ({_webSocket.CloseStatus})";
                    await CloseHandshakeAsync(WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
                    return;
                }
                filled += result.Count;
                if (filled > maxMessageSize)
                {
                    CloseReason = "Message exceeds the size limit";
                    await CloseHandshakeAsync(WebSocketCloseStatus.MessageTooBig, "SIP message too big").ConfigureAwait(false);
                    return;
                }
                if (!result.EndOfMessage) continue;

                await HandleMessageAsync(receiver, buffer.AsMemory(0, filled)).ConfigureAwait(false);
                filled = 0;
                if (buffer.Length > InitialBufferSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int filled, int capacityLimit)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, capacityLimit));
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private async ValueTask HandleMessageAsync(ISipReceiver receiver, ReadOnlyMemory<byte> message)
    {
        if (message.Span.IndexOfAnyExcept((byte)'\r', (byte)'\n') < 0)
        {
            // RFC 5626 §4.4.1-style keep-alive inside a WebSocket message; an empty message is ignored the same way.
            if (message.Span.SequenceEqual("\r\n\r\n"u8)) await WriteAsync(Pong, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        try
        {
            receiver.OnMessageReceived(message, Flow);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The receiver's problem must not close the connection or end the loop.
        }
    }

    /// <summary>Answers or starts the closing handshake, bounded so a peer that stops reading cannot hold the loop.</summary>
    private async Task CloseHandshakeAsync(WebSocketCloseStatus status, string description)
    {
        await WriteLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), Time);
            await _webSocket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            WriteLock.Release();
        }
    }

    protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        // Text frames must be valid UTF-8 (RFC 6455 §8.1); a SIP message with a binary body goes as a binary frame.
        _webSocket.SendAsync(data, Utf8.IsValid(data.Span) ? WebSocketMessageType.Text : WebSocketMessageType.Binary,
            endOfMessage: true, cancellationToken);
}
