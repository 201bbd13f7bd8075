using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>
/// SIP over TLS, server side (RFC 3261 §26, RFC 5630): a listener, a bounded TLS handshake per connection, then the same
/// Content-Length framing, limits and CRLF keep-alive answers as TCP. Sends go back over the connection a flow names
/// (or any open connection to the same remote, RFC 5923 spirit); no outgoing TLS connections are opened, so a send
/// without a live connection fails with <see cref="SipConnectionUnavailableException"/>.
/// </summary>
public sealed class TlsSipTransport : ISipTransport, IAsyncDisposable
{
    private readonly ConnectionListener _listener;
    private readonly TlsServerHandshake _handshake;
    private readonly ISipReceiver _receiver;
    private readonly TlsTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public TlsSipTransport(IPEndPoint bind, X509Certificate2 certificate, ISipReceiver receiver, TlsTransportOptions? options = null,
        TimeProvider? time = null, ILogger? logger = null)
    {
        _handshake = new TlsServerHandshake(certificate);
        _log = logger ?? NullLogger.Instance;
        _receiver = receiver;
        _options = options ?? new TlsTransportOptions();
        _time = time ?? TimeProvider.System;
        _listener = new ConnectionListener(bind, SipTransportKind.Tls, _options, _time, _log);
    }

    public SipTransportKind Kind => SipTransportKind.Tls;

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>Connections past their handshake.</summary>
    public int ConnectionCount => _listener.ConnectionCount;

    public void Start() => _listener.Start(ServeAsync);

    public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        _listener.SendOverExistingAsync(destination, message, cancellationToken);

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        IPEndPoint remote;
        try
        {
            remote = ConnectionListener.Normalize((IPEndPoint)socket.RemoteEndPoint!);
            using var deadline = new HandshakeDeadline(socket, _options.HandshakeTimeout, _time, stopping);
            try
            {
                stream = await _handshake.AuthenticateAsync(stream, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                TransportLog.HandshakeFailed(_log, Kind, remote, deadline.Expired ? "timed out" : ex.GetType().Name + ": " + ex.Message);
                return;
            }
        }
        finally
        {
            // On failure the SslStream already disposed the NetworkStream (and with it the socket); this covers the rest.
            if (stream is NetworkStream) await stream.DisposeAsync().ConfigureAwait(false);
        }

        var connection = new StreamConnection(_listener.NextConnectionId(), SipTransportKind.Tls, socket, stream, remote, _time);
        _listener.Add(connection);
        try
        {
            await connection.RunAsync(_receiver, _options.Parse, _log).ConfigureAwait(false);
        }
        finally
        {
            _listener.Remove(connection);
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
