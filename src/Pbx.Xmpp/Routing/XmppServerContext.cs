using Microsoft.Extensions.Logging;
using Pbx.Xmpp.Auth;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Routing;

/// <summary>What the modules share: configuration, the session table, the host's stores, the clock.</summary>
internal sealed class XmppServerContext
{
    public XmppServerContext(
        XmppServerOptions options,
        IXmppUserDirectory directory,
        IRosterStore rosterStore,
        IOfflineMessageStore offlineStore,
        IChatArchive archive,
        IVCardStore vCards,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Options = options;
        Domain = Jid.Create(null, options.Domain);
        Directory = directory;
        RosterStore = rosterStore;
        OfflineStore = offlineStore;
        Archive = archive;
        VCards = vCards;
        Time = timeProvider;
        Logger = logger;
        Sessions = new SessionRegistry(options.MaxResourcesPerUser);
    }

    public XmppServerOptions Options { get; }
    public Jid Domain { get; }
    public IXmppUserDirectory Directory { get; }
    public IRosterStore RosterStore { get; }
    public IOfflineMessageStore OfflineStore { get; }
    public IChatArchive Archive { get; }
    public IVCardStore VCards { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public SessionRegistry Sessions { get; }

    public bool IsLocalDomain(Jid jid) => jid.Domain == Domain.Domain;

    public Jid BareJidOf(string user) => Jid.Create(user, Domain.Domain);

    /// <summary>True if the JID names an account on this server that the directory knows.</summary>
    public async ValueTask<bool> IsLocalUserAsync(Jid jid, CancellationToken cancellationToken) =>
        jid.Local is not null && IsLocalDomain(jid)
        && await Directory.UserExistsAsync(jid.Local, cancellationToken).ConfigureAwait(false);

    public string Timestamp() => Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
