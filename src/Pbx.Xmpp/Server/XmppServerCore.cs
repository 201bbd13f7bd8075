using Pbx.Xmpp.Auth;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Muc;
using Pbx.Xmpp.Presence;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Server;

/// <summary>Wires the modules together once per server; connections only see this.</summary>
internal sealed class XmppServerCore
{
    public XmppServerCore(XmppServerContext context, IBlockListStore blockListStore)
    {
        Context = context;
        FailureTracker = new AuthFailureTracker(context.Time, context.Options.AuthFailureLimit,
            context.Options.AuthFailureWindow, context.Options.AuthBanDuration,
            exemptNetworks: context.Options.AuthBanExemptNetworks);
        FakeSaltKey = SaslNegotiator.NewFakeSaltKey();

        var blocking = new BlockingService(context, blockListStore);
        var roster = new RosterService(context);
        var telephony = new TelephonyPresence(context);
        var broker = new PresenceBroker(context, telephony);
        var subscriptions = new SubscriptionHandler(context, roster, broker, blocking);
        var offline = new OfflineDelivery(context);
        var presence = new PresenceHandler(context, roster, broker, telephony, subscriptions, blocking, [offline, subscriptions]);
        var carbons = new Carbons(context);
        var messages = new MessageRouter(context, carbons, new MessageArchiver(context), blocking, offline);
        MucService? muc = null;
        var services = new List<(Core.Jid, string)>();
        if (context.Options.MucSubdomain is { Length: > 0 } subdomain)
        {
            muc = new MucService(context, Core.Jid.Create(null, subdomain + "." + context.Options.Domain));
            services.Add((muc.ServiceJid, "Chat rooms"));
        }

        var iqHandlers = new List<IIqHandler>();
        iqHandlers.AddRange(
        [
            new DiscoHandler(() => iqHandlers, services),
            new PingHandler(),
            new SessionHandler(),
            new VCardHandler(context),
            new RosterIqHandler(context, roster, subscriptions),
            carbons,
            new MamHandler(context),
            new BlockingHandler(context, blocking, roster, broker),
        ]);
        Router = new StanzaRouter(context, iqHandlers, presence, messages, muc, blocking);
        Muc = muc;
        Messages = messages;
        Presence = presence;
        Lifecycle = new SessionLifecycle(context, muc is null ? [presence] : [muc, presence], offline);
    }

    public XmppServerContext Context { get; }
    public AuthFailureTracker FailureTracker { get; }
    public byte[] FakeSaltKey { get; }
    public StanzaRouter Router { get; }
    public SessionLifecycle Lifecycle { get; }
    public MucService? Muc { get; }
    public MessageRouter Messages { get; }
    public PresenceHandler Presence { get; }
}
