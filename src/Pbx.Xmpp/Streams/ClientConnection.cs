using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security;
using System.Xml.Linq;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Streams;

/// <summary>
/// One client TCP connection: the read loop (negotiation, then stanzas) plus its writer queue.
/// Everything that goes wrong ends here as a stream error or a closed socket, never as an
/// exception reaching the listener.
/// </summary>
internal sealed partial class ClientConnection : ISessionTransport
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly XmppServerCore _core;
    private readonly bool _directTls;
    private readonly IPEndPoint _remote;
    private readonly CancellationTokenSource _sessionCts;
    private NetworkStream? _network;
    private GuardedStream? _input;
    private SslStream? _tls;
    private OutboundQueue? _output;
    private bool _headerSent;
    private bool _isSecure;
    private bool _cleanClose;
    private volatile bool _closed;
    private string? _authenticatedUser;
    private XmppSession? _session;
    private StreamErrorException? _terminationRequest;
    private ITimer? _negotiationTimer;

    public ClientConnection(Socket socket, XmppServerCore core, bool directTls, CancellationToken serverToken)
    {
        _socket = socket;
        _core = core;
        _directTls = directTls;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
        _sessionCts = CancellationTokenSource.CreateLinkedTokenSource(serverToken);
    }

    private Server.XmppServerOptions Options => _core.Context.Options;

    public async Task RunAsync()
    {
        Task? writer = null;
        try
        {
            _network = new NetworkStream(_socket, ownsSocket: false);
            Stream transport = _network;
            _negotiationTimer = _core.Context.Time.CreateTimer(
                _ => Terminate(StreamErrorCondition.ConnectionTimeout, "Negotiation took too long."),
                null, Options.NegotiationTimeout, Timeout.InfiniteTimeSpan);
            if (_directTls)
            {
                transport = await AuthenticateTlsAsync(_network).ConfigureAwait(false);
                _isSecure = true;
            }
            _input = new GuardedStream(transport, _core.Context.Time, Options.IdleTimeout);
            _input.SetSessionToken(_sessionCts.Token);
            _output = new OutboundQueue(transport, Options.SendQueueCapacity)
            {
                SerializationFailed = ex => XmppLog.SerializationFailed(_core.Context.Logger, ex),
            };
            writer = _output.RunAsync(CancellationToken.None);

            if (_core.FailureTracker.IsBanned(_remote.Address))
            {
                XmppLog.BannedAddress(_core.Context.Logger, _remote.Address);
                throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "Too many failed logins; try later.");
            }
            await RunStreamsAsync().ConfigureAwait(false);
            _cleanClose = true;
            await CloseStreamAsync(null).ConfigureAwait(false);
        }
        catch (StreamErrorException ex)
        {
            await CloseStreamAsync(ex).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTermination(ex))
        {
            await CloseStreamAsync(_terminationRequest).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionLoss(ex))
        {
            XmppLog.ConnectionClosed(_core.Context.Logger, _remote, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            XmppLog.SessionFailed(_core.Context.Logger, _remote, ex);
            await CloseStreamAsync(new StreamErrorException(StreamErrorCondition.InternalServerError)).ConfigureAwait(false);
        }
        finally
        {
            _negotiationTimer?.Dispose();
            try
            {
                await EndSessionAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A failing host store must not keep the socket open.
                XmppLog.SessionFailed(_core.Context.Logger, _remote, ex);
            }
            _closed = true;
            _output?.Complete();
            if (writer is not null) await Task.WhenAny(writer, Task.Delay(CloseGrace)).ConfigureAwait(false);
            Shutdown();
            _sessionCts.Dispose();
        }
    }

    private bool IsTermination(Exception ex) =>
        ex is OperationCanceledException && _sessionCts.IsCancellationRequested;

    private static bool IsConnectionLoss(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or EndOfStreamException
            or System.Security.Authentication.AuthenticationException;

    public bool TrySend(XElement stanza)
    {
        var output = _output;
        if (output is null || _closed || _sessionCts.IsCancellationRequested) return false;
        if (output.TryEnqueue(stanza)) return true;
        if (_closed) return false;
        XmppLog.SendQueueOverflow(_core.Context.Logger, _session?.FullJid.ToString() ?? _remote.ToString());
        Abort();
        return false;
    }

    public void Terminate(StreamErrorCondition condition, string? text)
    {
        Interlocked.CompareExchange(ref _terminationRequest, new StreamErrorException(condition, text), null);
        try
        {
            // Callers may hold a session lock; CancelAsync runs the cancellation callbacks elsewhere.
            _ = _sessionCts.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    /// <summary>Drops the connection without a goodbye; used when the peer cannot keep up.</summary>
    private void Abort()
    {
        try
        {
            _ = _sessionCts.CancelAsync();
            _socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private async Task CloseStreamAsync(StreamErrorException? error)
    {
        var output = _output;
        if (output is null) return;
        if (error is not null)
        {
            XmppLog.StreamError(_core.Context.Logger, StreamErrorNames.ElementName(error.Condition), _remote, error.Text);
        }
        var text = new System.Text.StringBuilder();
        if (!_headerSent) text.Append(StreamHeaderXml(null));
        if (error is not null)
        {
            text.Append("<stream:error><").Append(StreamErrorNames.ElementName(error.Condition))
                .Append(" xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>");
            if (error.Text is not null)
            {
                text.Append("<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>")
                    .Append(SecurityElement.Escape(error.Text)).Append("</text>");
            }
            text.Append("</stream:error>");
        }
        text.Append("</stream:stream>");
        try
        {
            await output.SendAndFlushAsync(null, text.ToString()).WaitAsync(CloseGrace).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException or SocketException)
        {
            // The peer is gone or not reading; closing the socket is all that is left.
        }
    }

    /// <summary>
    /// A resumable session outlives a dropped connection; a clean close, a server-initiated end or a
    /// non-resumable session ends it. A session already taken over by a resumed connection is left alone.
    /// </summary>
    private async Task EndSessionAsync()
    {
        var session = _session;
        if (session is null) return;
        _session = null;
        bool keepForResumption = session.IsResumable && !_cleanClose && _terminationRequest is null;
        if (session.Detach(this) is not { } generation) return;
        if (keepForResumption)
        {
            _core.Lifecycle.Hibernate(session, generation);
            return;
        }
        await _core.Lifecycle.EndAsync(session).ConfigureAwait(false);
    }

    private void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }
        _input?.Dispose();
        _tls?.Dispose();
        _socket.Dispose();
        _network?.Dispose();
    }
}
