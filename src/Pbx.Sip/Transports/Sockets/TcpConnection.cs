using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>One TCP connection: a framing read loop (Content-Length, CRLF keep-alive answered) and serialized writes.</summary>
internal sealed class TcpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly TimeProvider _time;
    private long _lastActivity;
    private int _disposed;
    private string _closeReason = "remote closed";

    public TcpConnection(long id, Socket socket, TimeProvider time)
    {
        Id = id;
        _socket = socket;
        _time = time;
        Remote = Normalize((IPEndPoint)socket.RemoteEndPoint!);
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        Touch();
    }

    public long Id { get; }

    public IPEndPoint Remote { get; }

    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public bool IsClosed => _closed.IsCancellationRequested;

    public async Task RunAsync(ISipReceiver receiver, Pbx.Sip.Messages.SipParseOptions options, ILogger log, Action<TcpConnection> onClosed)
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
            await _stream.DisposeAsync().ConfigureAwait(false);
            SipLog.TcpClosed(log, Id, Remote, _closeReason);
            onClosed(this);
        }
    }

    private async Task ReadLoopAsync(ISipReceiver receiver, Pbx.Sip.Messages.SipParseOptions options)
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
                    await WriteAsync("\r\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
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
        var flow = new SipFlow(SipTransportKind.Tcp, Remote, Id);
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
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
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

    internal static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    public ValueTask DisposeAsync()
    {
        Close("closed locally");
        return ValueTask.CompletedTask;
    }
}
