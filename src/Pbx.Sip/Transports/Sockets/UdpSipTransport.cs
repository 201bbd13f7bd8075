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

    private readonly Socket _socket;
    private readonly ISipReceiver _receiver;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _receiveErrors;

    public UdpSipTransport(IPEndPoint bind, ISipReceiver receiver, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public SipTransportKind Kind => SipTransportKind.Udp;

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Socket errors the loop survived (for metrics).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    public void Start() => _loop ??= Task.Run(ReceiveLoopAsync);

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
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
