using System.Net;
using System.Security.Cryptography;
using Pbx.Server.Configuration;
using Pbx.Sip.Auth;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.Sockets;
using Pbx.Sip.Transports.WebSockets;

namespace Pbx.Server.Sip;

/// <summary>
/// Runs the SIP stack inside the daemon: restores registrations, binds the transports in StartAsync (so READY=1
/// follows them), and sweeps expired bindings.
/// </summary>
internal sealed partial class SipService(
    PbxOptions options,
    SipCredentialCache credentials,
    Hosting.ServerCertificate certificate,
    BindingTable bindings,
    IBindingStore store,
    SourceGuard guard,
    QualifyService qualify,
    Pbx.Calls.Sip.B2buaService calls,
    ILoggerFactory loggers,
    System.Diagnostics.Metrics.IMeterFactory meters,
    TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("Pbx.Sip");
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _transports = [];
    private SipTransactionLayer? _layer;
    private BindingPersister? _persister;
    private Task? _sweeper;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var sip = options.Sip;
        if (sip is { UdpPort: 0, TcpPort: 0, TlsPort: 0, WsPort: 0, WssPort: 0 }) return;
        await credentials.LoadAsync(cancellationToken);
        var restored = await store.LoadAsync(cancellationToken);
        bindings.Restore(restored, time.GetUtcNow());
        Restored(_log, bindings.Count);

        _persister = new BindingPersister(store, time, _log);
        _persister.Start();
        var registrarOptions = new RegistrarOptions
        {
            Realm = sip.Realm,
            MinExpiresSeconds = sip.MinExpiresSeconds,
            MaxExpiresSeconds = sip.MaxExpiresSeconds,
        };
        // Nonces are stateless HMACs: a fresh secret per start only makes phones re-authenticate once (stale=true).
        var algorithms = sip.DigestAlgorithms.Select(name => DigestAlgorithms.TryParse(name, out var a) ? a : DigestAlgorithm.Md5).Distinct().ToList();
        var authenticator = new DigestAuthenticator(new DigestOptions { ServerSecret = RandomNumberGenerator.GetBytes(32), Algorithms = algorithms }, credentials, time);
        var registrar = new RegistrarService(registrarOptions, authenticator, bindings, _persister, guard, time, _log);
        var user = new PbxTransactionUser(registrar, guard, qualify, calls, authenticator, sip.Realm);
        var transports = new SipTransportSet();
        _layer = new SipTransactionLayer(transports, user, parseOptions: new Pbx.Sip.Messages.SipParseOptions { MaxMessageSize = sip.MaxMessageBytes }, time: time, logger: _log);
        calls.Attach(_layer);
        calls.Trunks?.Start(_layer);
        var receiver = new GuardedReceiver(guard, _layer);
        Telemetry.SipMetrics.Register(meters, bindings, guard, _layer, receiver);
        var address = IPAddress.Parse(sip.BindAddress);
        if (sip.UdpPort != 0)
        {
            var udp = new UdpSipTransport(new IPEndPoint(address, sip.UdpPort), receiver, _log);
            transports.Add(udp);
            _transports.Add(udp);
            udp.Start();
            Listening(_log, "UDP", udp.LocalEndPoint);
        }
        if (sip.TcpPort != 0)
        {
            var tcp = new TcpSipTransport(new IPEndPoint(address, sip.TcpPort), receiver, time: time, logger: _log);
            transports.Add(tcp);
            _transports.Add(tcp);
            tcp.Start();
            Listening(_log, "TCP", tcp.LocalEndPoint);
        }
        if (sip.TlsPort != 0)
        {
            var tls = new TlsSipTransport(new IPEndPoint(address, sip.TlsPort), certificate.Certificate, receiver, time: time, logger: _log);
            transports.Add(tls);
            _transports.Add(tls);
            tls.Start();
            Listening(_log, "TLS", tls.LocalEndPoint);
        }
        if (sip.WsPort != 0) StartWebSocket(transports, receiver, new IPEndPoint(address, sip.WsPort), null, "WS");
        if (sip.WssPort != 0) StartWebSocket(transports, receiver, new IPEndPoint(address, sip.WssPort), certificate.Certificate, "WSS");
        qualify.Start(_layer);
        _sweeper = Task.Run(SweepAsync);
    }

    private void StartWebSocket(SipTransportSet transports, ISipReceiver receiver, IPEndPoint endPoint,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, string name)
    {
        var ws = new WebSocketSipTransport(endPoint, receiver, certificate, time: time, logger: _log);
        transports.Add(ws);
        _transports.Add(ws);
        ws.Start();
        Listening(_log, name, ws.LocalEndPoint);
    }

    private async Task SweepAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(5), time, _stop.Token); }
            catch (OperationCanceledException) { break; }
            var expired = bindings.Expire(time.GetUtcNow());
            if (expired.Count == 0) continue;
            _persister!.Enqueue([], expired);
            qualify.Prune(expired);
            foreach (var binding in expired) Expired(_log, binding.Aor, binding.Contact);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_sweeper is not null) await _sweeper;
        // Phones hear a BYE rather than silence; the transports must still be up to send it.
        if (_layer is not null) await calls.HangUpAllAsync(TimeSpan.FromSeconds(2));
        await qualify.DisposeAsync();
        foreach (var transport in _transports) await transport.DisposeAsync();
        _transports.Clear();
        if (_persister is not null) await _persister.DisposeAsync();
        _layer?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(CancellationToken.None);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "SIP {Transport} listening on {EndPoint}")]
    private static partial void Listening(ILogger logger, string transport, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Restored {Count} registrations from the database")]
    private static partial void Restored(ILogger logger, int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "EXPIRED {Aor} {Contact}")]
    private static partial void Expired(ILogger logger, string aor, string contact);
}
