using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Presence;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Blocking;

/// <summary>Blocking Command (XEP-0191): list retrieval, block, unblock, pushes and presence consequences.</summary>
internal sealed class BlockingHandler(XmppServerContext context, BlockingService blocking, RosterService roster, PresenceBroker presence) : IIqHandler
{
    private const int MaxItemsPerRequest = 500;

    public IEnumerable<XName> Payloads => [Ns.Blocking + "blocklist", Ns.Blocking + "block", Ns.Blocking + "unblock"];

    public IEnumerable<string> ServerFeatures => [Ns.Blocking.NamespaceName];

    public async ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (!request.TargetsOwnAccount)
        {
            request.Error(StanzaErrorCondition.Forbidden);
            return;
        }
        string user = request.Sender.User;
        switch (request.Payload.Name.LocalName)
        {
            case "blocklist" when request.IsGet:
                request.Sender.IsBlocklistInterested = true;
                var list = await blocking.GetListAsync(user, cancellationToken).ConfigureAwait(false);
                request.Reply(new XElement(Ns.Blocking + "blocklist",
                    list.Order(StringComparer.Ordinal).Select(j => new XElement(Ns.Blocking + "item", new XAttribute("jid", j)))));
                return;
            case "block" when request.IsSet:
                await BlockAsync(request, user, cancellationToken).ConfigureAwait(false);
                return;
            case "unblock" when request.IsSet:
                await UnblockAsync(request, user, cancellationToken).ConfigureAwait(false);
                return;
            default:
                request.Error(StanzaErrorCondition.BadRequest);
                return;
        }
    }

    private async ValueTask BlockAsync(IqRequest request, string user, CancellationToken cancellationToken)
    {
        if (!TryReadItems(request, out var jids)) return;
        if (jids.Count == 0)
        {
            request.Error(StanzaErrorCondition.BadRequest, "Nothing to block.");
            return;
        }
        await blocking.AddAsync(user, jids.Select(j => j.ToString()).ToArray(), cancellationToken).ConfigureAwait(false);
        request.Reply();
        Push(user, "block", jids);
        // The blocked side must stop seeing the user as online (XEP-0191 §3.3).
        foreach (var jid in jids.Where(j => j.Local is not null && context.IsLocalDomain(j)))
        {
            presence.SendUnavailableToUser(user, jid.Local!);
        }
    }

    private async ValueTask UnblockAsync(IqRequest request, string user, CancellationToken cancellationToken)
    {
        if (!TryReadItems(request, out var jids)) return;
        IReadOnlyCollection<Jid> released = jids;
        if (jids.Count == 0)
        {
            var all = await blocking.GetListAsync(user, cancellationToken).ConfigureAwait(false);
            released = all.Select(j => Jid.TryParse(j, out var parsed) ? parsed : null).OfType<Jid>().ToList();
        }
        await blocking.RemoveAsync(user, jids.Select(j => j.ToString()).ToArray(), cancellationToken).ConfigureAwait(false);
        request.Reply();
        Push(user, "unblock", jids);
        var subscribers = await roster.GetPresenceSubscribersAsync(user, cancellationToken).ConfigureAwait(false);
        foreach (var jid in released.Where(j => j.Local is not null && subscribers.Contains(j.Bare)))
        {
            if (!await blocking.EitherBlocksAsync(user, jid, cancellationToken).ConfigureAwait(false))
            {
                presence.SendCurrentPresenceToUser(user, jid.Local!);
            }
        }
    }

    private static bool TryReadItems(IqRequest request, out List<Jid> jids)
    {
        jids = [];
        var items = request.Payload.Elements(Ns.Blocking + "item").ToList();
        if (items.Count > MaxItemsPerRequest)
        {
            request.Error(StanzaErrorCondition.PolicyViolation, "Too many items.");
            return false;
        }
        foreach (var item in items)
        {
            if (!Jid.TryParse((string?)item.Attribute("jid"), out var jid))
            {
                request.Error(StanzaErrorCondition.JidMalformed);
                return false;
            }
            jids.Add(jid);
        }
        return true;
    }

    private void Push(string user, string action, IReadOnlyCollection<Jid> jids)
    {
        foreach (var session in context.Sessions.SessionsOf(user))
        {
            if (!session.IsBlocklistInterested) continue;
            session.Send(new XElement(Stanza.Iq,
                new XAttribute("type", "set"),
                new XAttribute("id", "block-" + Stanza.NewId()),
                new XAttribute("to", session.FullJid.ToString()),
                new XElement(Ns.Blocking + action, jids.Select(j => new XElement(Ns.Blocking + "item", new XAttribute("jid", j.ToString()))))));
        }
    }
}
