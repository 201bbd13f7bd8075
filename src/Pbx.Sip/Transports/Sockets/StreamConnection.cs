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
internal sealed class StreamConnection : ISipConnection
{
    private static readonly byte[] Pong = "\r\n"u8.ToArray();

    private readonly SipTransportKind _kind;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly TimeProvider _time;
    private long _lastActivity;
    private int _closing;
    private string _closeReason = "remote closed";

    /// <param name="stream">Owns <paramref name="socket"/>: disposing it closes the socket.</param>
    public StreamConnection(long id, SipTransportKind kind, Socket socket, Stream stream, IPEndPoint remote, TimeProvider time)
    {
        Id = id;
        _kind = kind;
        _socket = socket;
        _stream = stream;
        _time = time;
        Remote = ConnectionListener.Normalize(remote);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        Touch();
    }

    public long Id { get; }

    public IPEndPoint Remote { get; }

    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public bool IsClosed => _closed.IsCancellationRequested;

    public async Task RunAsync(ISipReceiver receiver, SipParseOptions options, ILogger log)
    {
        try
        {
            await ReadLoopAsync(receiver, options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _closeReason = "read loop failed: " + ex.GetType().Name;
        }
        finally
        {
            // Only the loop releases the reader and stream, so nothing is freed under a buffer it still reads.
            Close(_closeReason);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writeLock.WaitAsync().ConfigureAwait(false); // a write in flight finishes (or fails) before the stream goes
            try
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
            TransportLog.Closed(log, _kind, Id, Remote, _closeReason);
        }
    }

    private async Task ReadLoopAsync(ISipReceiver receiver, SipParseOptions options)
    {
        while (!_closed.IsCancellationRequested)
        {
            ReadResult read;
            try
            {
                read = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
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
                    _closeReason = error;
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
        var flow = new SipFlow(_kind, Remote, Id);
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

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            Touch();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Stops the connection: the read loop ends and releases everything.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _closeReason = reason;
        _closed.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
}
