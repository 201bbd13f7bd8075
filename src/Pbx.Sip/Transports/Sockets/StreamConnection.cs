using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pbx.Sip.Messages;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// One byte-stream connection (TCP, or TLS over it): a framing read loop (Content-Length, CRLF keep-alive answered)
/// and serialized writes. The stream may be the socket's NetworkStream or an SslStream on top of it.
/// </summary>
internal sealed class StreamConnection : SipConnectionBase
{
    private static readonly byte[] Pong = "\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly PipeReader _reader;

    /// <param name="stream">Owns <paramref name="socket"/>: disposing it closes the socket.</param>
    public StreamConnection(long id, SipTransportKind kind, Socket socket, Stream stream, IPEndPoint remote, TimeProvider time)
        : base(id, kind, socket, ConnectionListener.Normalize(remote), time)
    {
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
    }

    public async Task RunAsync(ISipReceiver receiver, SipParseOptions options, ILogger log)
    {
        try
        {
            await ReadLoopAsync(receiver, options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            CloseReason = "read loop failed: " + ex.GetType().Name;
        }
        finally
        {
            // Only the loop releases the reader and stream, so nothing is freed under a buffer it still reads.
            Close(CloseReason);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await ReleaseAsync(log, () => _stream.DisposeAsync()).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(ISipReceiver receiver, SipParseOptions options)
    {
        while (!IsClosed)
        {
            ReadResult read;
            try
            {
                read = await _reader.ReadAsync(ClosedToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Touch();
            var buffer = read.Buffer;
            while (true)
            {
                var status = SipStreamFramer.TryRead(ref buffer, options, out var frame, out string error);
                if (status == FrameStatus.Message)
                {
                    Deliver(receiver, frame);
                }
                else if (status == FrameStatus.Ping)
                {
                    await WriteAsync(Pong, CancellationToken.None).ConfigureAwait(false);
                }
                else if (status == FrameStatus.Error)
                {
                    CloseReason = error;
                    return;
                }
                else if (status == FrameStatus.NeedMore)
                {
                    break;
                }
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted) return;
        }
    }

    private void Deliver(ISipReceiver receiver, ReadOnlySequence<byte> frame)
    {
        var flow = Flow;
        try
        {
            if (frame.IsSingleSegment)
            {
                receiver.OnMessageReceived(frame.First, flow);
                return;
            }
            byte[] copy = ArrayPool<byte>.Shared.Rent((int)frame.Length);
            try
            {
                frame.CopyTo(copy);
                receiver.OnMessageReceived(copy.AsMemory(0, (int)frame.Length), flow);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The receiver's problem must not close the connection or end the loop.
        }
    }

    protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _stream.WriteAsync(data, cancellationToken);
}
