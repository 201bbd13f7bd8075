using System.Net;
using Pbx.Server.Configuration;
using Pbx.Server.Hosting;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Server;

namespace Pbx.Server.Xmpp;

/// <summary>
/// Runs the XMPP server inside the daemon. Listeners are bound in StartAsync, so systemd's READY=1 and
/// /health/ready only come once clients can connect.
/// </summary>
internal sealed partial class XmppHostedService(
    PbxOptions options,
    ServerCertificate certificate,
    PbxXmppDirectory directory,
    IRosterStore roster,
    IOfflineMessageStore offline,
    IChatArchive archive,
    IVCardStore vCards,
    IBlockListStore blockList,
    ILoggerFactory loggerFactory,
    System.Diagnostics.Metrics.IMeterFactory meters,
    TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggerFactory.CreateLogger("Pbx.Xmpp");
    private XmppServer? _server;

    /// <summary>The running server, or null when XMPP is switched off.</summary>
    public XmppServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var xmpp = options.Xmpp;
        if (xmpp.ClientPort == 0 && xmpp.DirectTlsPort == 0) return;
        _server = new XmppServer(
            new XmppServerOptions
            {
                Domain = xmpp.Domain,
                Certificate = certificate.Certificate,
                RequireTls = xmpp.RequireTls,
                MaxStanzaBytes = xmpp.MaxStanzaBytes,
            },
            directory, roster, offline, archive, vCards, blockList, loggerFactory, time);
        Telemetry.XmppMetrics.Register(meters, _server);
        var address = IPAddress.Parse(xmpp.BindAddress);
        if (xmpp.ClientPort != 0)
            Listening(_log, "client (STARTTLS)", await _server.StartAsync(new IPEndPoint(address, xmpp.ClientPort)));
        if (xmpp.DirectTlsPort != 0)
            Listening(_log, "client (direct TLS)", await _server.StartDirectTlsAsync(new IPEndPoint(address, xmpp.DirectTlsPort)));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "XMPP {Kind} listening on {EndPoint}")]
    private static partial void Listening(ILogger logger, string kind, IPEndPoint endPoint);
}
