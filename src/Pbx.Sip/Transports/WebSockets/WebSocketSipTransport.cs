using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Sip.Transports.Sockets;

namespace Pbx.Sip.Transports.WebSockets;

/// <summary>
/// SIP over WebSocket (RFC 7118) for WebRTC clients: a minimal HTTP/1.1 upgrade server on its own port, plain (ws) or,
/// given a certificate, inside TLS (wss). Only the "sip" subprotocol is accepted. Each WebSocket message is one SIP
/// message; answers go back over the same WebSocket. No outgoing connections: a send without a live connection fails
/// with <see cref="SipConnectionUnavailableException"/>. Run one instance for ws and another for wss.
/// </summary>
public sealed class WebSocketSipTransport : ISipTransport, IAsyncDisposable
{
    private readonly ConnectionListener _listener;
    private readonly TlsServerHandshake? _tls;
    private readonly ISipReceiver _receiver;
    private readonly WebSocketTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    /// <param name="certificate">Null for ws; the server certificate (with private key) for wss.</param>
    public WebSocketSipTransport(IPEndPoint bind, ISipReceiver receiver, X509Certificate2? certificate = null,
        WebSocketTransportOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _tls = certificate is null ? null : new TlsServerHandshake(certificate);
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _options = options ?? new WebSocketTransportOptions();
        _time = time ?? TimeProvider.System;
        Kind = _tls is null ? SipTransportKind.Ws : SipTransportKind.Wss;
        _listener = new ConnectionListener(bind, Kind, _options, _time, _log);
    }

    public SipTransportKind Kind { get; }

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>Connections past their upgrade.</summary>
    public int ConnectionCount => _listener.ConnectionCount;

    public void Start() => _listener.Start(ServeAsync);

    public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        _listener.SendOverExistingAsync(destination, message, cancellationToken);

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        WebSocketConnection? connection = null;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var remote = ConnectionListener.Normalize((IPEndPoint)socket.RemoteEndPoint!);
            var tracked = new ActivityTrackingStream(stream, () => connection?.Touch());
            stream = tracked;
            using (var deadline = new HandshakeDeadline(socket, _options.HandshakeTimeout, _time, stopping))
            {
                try
                {
                    if (_tls is not null) stream = await _tls.AuthenticateAsync(stream, deadline.Token).ConfigureAwait(false);
                    if (!await UpgradeAsync(stream, remote, deadline.Token).ConfigureAwait(false)) return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    TransportLog.HandshakeFailed(_log, Kind, remote, deadline.Expired ? "timed out" : ex.GetType().Name + ": " + ex.Message);
                    return;
                }
            }

            var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = WebSocketUpgrade.SubProtocol,
                KeepAliveInterval = _options.KeepAliveInterval,
                KeepAliveTimeout = _options.KeepAliveTimeout,
            });
            connection = new WebSocketConnection(_listener.NextConnectionId(), Kind, socket, webSocket, remote, _time);
            _listener.Add(connection);
            try
            {
                await connection.RunAsync(_receiver, _options.Parse.MaxMessageSize, _log).ConfigureAwait(false);
            }
            finally
            {
                _listener.Remove(connection);
            }
        }
        finally
        {
            // Covers every early return; after a run the connection has closed the socket already, and twice is harmless.
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> UpgradeAsync(Stream stream, IPEndPoint remote, CancellationToken cancellationToken)
    {
        string? head = await WebSocketUpgrade.ReadRequestAsync(stream, cancellationToken).ConfigureAwait(false);
        var response = head is null
            ? UpgradeResponse.Refuse(400, "incomplete, oversized or pipelined request")
            : WebSocketUpgrade.Evaluate(head);
        await stream.WriteAsync(response.Bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsAccepted) TransportLog.HandshakeFailed(_log, Kind, remote, $"{response.Status}: {response.Reason}");
        return response.IsAccepted;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
