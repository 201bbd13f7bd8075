using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// SIP over UDP. One socket (dual-mode when bound to IPv6Any, so IPv4 peers work too); a receive loop that survives
/// any bad input or socket hiccup and stops only on <see cref="DisposeAsync"/>.
/// </summary>
public sealed class UdpSipTransport : ISipTransport, IAsyncDisposable
{
    private const int MaxDatagram = 65_535;
    // Bursts of REGISTER refreshes arrive faster than one loop drains them; the kernel caps this at net.core.rmem_max.
    private const int ReceiveBufferBytes = 8 << 20;

    private readonly Socket _socket;
    private readonly ISipReceiver _receiver;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task[]? _loops;
    private long _receiveErrors;

    public UdpSipTransport(IPEndPoint bind, ISipReceiver receiver, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
        _socket.ReceiveBufferSize = ReceiveBufferBytes;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public SipTransportKind Kind => SipTransportKind.Udp;

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Socket errors the loop survived (for metrics).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>
    /// Starts one receive loop per core on the one socket: the layers above are thread-safe, and a datagram's
    /// processing (parse, digest, answer) then never holds up the next one.
    /// </summary>
    public void Start() => _loops ??= Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(ReceiveLoopAsync)).ToArray();

    public async ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var remote = destination.Remote;
        if (_socket.DualMode && remote.AddressFamily == AddressFamily.InterNetwork) remote = new IPEndPoint(remote.Address.MapToIPv6(), remote.Port);
        await _socket.SendToAsync(message, SocketFlags.None, remote, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    // ICMP port unreachable and friends: keep serving.
                    Interlocked.Increment(ref _receiveErrors);
                    SipLog.UdpReceiveError(_log, LocalEndPoint, ex);
                    continue;
                }
                if (result.ReceivedBytes == 0) continue;
                var remote = (IPEndPoint)result.RemoteEndPoint;
                if (remote.Address.IsIPv4MappedToIPv6) remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
                try
                {
                    _receiver.OnMessageReceived(buffer.AsMemory(0, result.ReceivedBytes), new SipFlow(SipTransportKind.Udp, remote));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref _receiveErrors);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_loops is not null) await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
    }
}
