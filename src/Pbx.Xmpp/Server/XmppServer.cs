using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Xmpp.Auth;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;
using Pbx.Xmpp.Streams;

namespace Pbx.Xmpp.Server;

/// <summary>
/// The XMPP client-to-server service. The host constructs it with its stores, calls
/// <see cref="StartAsync"/> (and optionally <see cref="StartDirectTlsAsync"/>) and finally
/// <see cref="DisposeAsync"/> or <see cref="StopAsync"/>.
/// </summary>
public sealed class XmppServer : IAsyncDisposable
{
    private readonly XmppServerCore _core;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(Socket Socket, Task AcceptLoop)> _listeners = [];
    private readonly ConcurrentDictionary<ClientConnection, Task> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly Lock _lock = new();

    public XmppServer(
        XmppServerOptions options,
        IXmppUserDirectory directory,
        IRosterStore rosterStore,
        IOfflineMessageStore offlineStore,
        IChatArchive archive,
        IVCardStore vCardStore,
        IBlockListStore blockListStore,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RequireTls && options.Certificate is null)
        {
            throw new ArgumentException("RequireTls needs a server certificate.", nameof(options));
        }
        if (options.Certificate is not null && !options.Certificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate has no private key.", nameof(options));
        }
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Pbx.Xmpp");
        var context = new XmppServerContext(options, directory, rosterStore, offlineStore, archive, vCardStore,
            timeProvider ?? TimeProvider.System, _logger);
        _core = new XmppServerCore(context, blockListStore);
    }

    /// <summary>Bound resources, for monitoring.</summary>
    public SessionRegistry Sessions => _core.Context.Sessions;

    public int ConnectionCount => _connections.Count;

    /// <summary>
    /// Sends a message from the server's domain to a local user (e.g. voicemail or missed-call
    /// notices). <paramref name="message"/> is a jabber:client message element; its addressing is
    /// replaced. Delivered like any chat message, or kept offline if the user has no available resource.
    /// </summary>
    public ValueTask<bool> SendMessageAsync(string loginId, XElement message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Name != Core.Stanza.Message) throw new ArgumentException("Expected a jabber:client message element.", nameof(message));
        if (!Core.Jid.TryCreate(loginId, _core.Context.Options.Domain, null, out var to)) return ValueTask.FromResult(false);
        return _core.Messages.DeliverFromServerAsync(to, message, cancellationToken);
    }

    /// <summary>
    /// Publishes what the user's phones are doing (from the call layer: registered, ringing, on the phone, wrap-up)
    /// to the user's contacts as presence of the resource "phone"; see <see cref="Presence.TelephonyState"/>.
    /// Publishing the same state again sends nothing.
    /// </summary>
    public ValueTask PublishTelephonyStateAsync(string loginId, Presence.TelephonyState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Core.Jid.TryCreate(loginId, _core.Context.Options.Domain, null, out var user)) return ValueTask.CompletedTask;
        return _core.Presence.PublishTelephonyAsync(user.Local!, state, cancellationToken);
    }

    /// <summary>Names (localparts) of the group chat rooms that currently exist.</summary>
    public IEnumerable<string> MucRoomNames() => _core.Muc?.Rooms.Select(r => r.Jid.Local!) ?? [];

    /// <summary>Starts a plain (STARTTLS-capable) listener; returns the bound endpoint (useful with port 0).</summary>
    public Task<IPEndPoint> StartAsync(IPEndPoint endPoint) => Listen(endPoint, directTls: false);

    /// <summary>Starts a listener where TLS begins immediately (XEP-0368 direct TLS).</summary>
    public Task<IPEndPoint> StartDirectTlsAsync(IPEndPoint endPoint)
    {
        if (_core.Context.Options.Certificate is null) throw new InvalidOperationException("Direct TLS needs a server certificate.");
        return Listen(endPoint, directTls: true);
    }

    private Task<IPEndPoint> Listen(IPEndPoint endPoint, bool directTls)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = endPoint.Address.Equals(IPAddress.IPv6Any);
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        lock (_lock) _listeners.Add((socket, AcceptLoopAsync(socket, bound, directTls)));
        XmppLog.ListenerStarted(_logger, bound, directTls);
        return Task.FromResult(bound);
    }

    private async Task AcceptLoopAsync(Socket listener, IPEndPoint bound, bool directTls)
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                XmppLog.AcceptFailed(_logger, bound, ex);
                continue;
            }
            ClientConnection connection;
            IPAddress address;
            try
            {
                address = Canonical(((IPEndPoint)client.RemoteEndPoint!).Address);
                if (_connections.Count >= _core.Context.Options.MaxConnections || !TryCountAddress(address))
                {
                    XmppLog.ConnectionLimit(_logger, client.RemoteEndPoint);
                    client.Dispose();
                    continue;
                }
                client.NoDelay = true;
                connection = new ClientConnection(client, _core, directTls, _stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The peer vanished between accept and setup.
                client.Dispose();
                continue;
            }
            var running = RunConnectionAsync(connection, address);
            _connections[connection] = running;
            // A connection that already finished removed itself before it was added.
            if (running.IsCompleted) _connections.TryRemove(connection, out _);
        }
        XmppLog.ListenerStopped(_logger, bound);
    }

    private async Task RunConnectionAsync(ClientConnection connection, IPAddress address)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            ReleaseAddress(address);
        }
    }

    private bool TryCountAddress(IPAddress address)
    {
        int limit = _core.Context.Options.MaxConnectionsPerAddress;
        while (true)
        {
            int current = _perAddress.GetOrAdd(address, 0);
            if (current >= limit) return false;
            if (_perAddress.TryUpdate(address, current + 1, current)) return true;
        }
    }

    private void ReleaseAddress(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out int current))
        {
            if (current <= 1)
            {
                if (_perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, current))) return;
            }
            else if (_perAddress.TryUpdate(address, current - 1, current))
            {
                return;
            }
        }
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Stops accepting, ends every stream with system-shutdown and waits for the sessions to close.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        List<(Socket Socket, Task AcceptLoop)> listeners;
        lock (_lock) listeners = [.. _listeners];
        foreach (var (socket, _) in listeners) socket.Dispose();
        foreach (var connection in _connections.Keys) connection.Terminate(StreamErrorCondition.SystemShutdown, null);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(listeners.Select(l => l.AcceptLoop)).ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(_connections.Values), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
