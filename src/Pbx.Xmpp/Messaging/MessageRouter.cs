using System.Xml.Linq;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Messaging;

/// <summary>
/// 1:1 message delivery per RFC 6121 §8.5: to a full JID if that resource is bound, otherwise to
/// the highest-priority available resources of the account, otherwise into offline storage.
/// </summary>
internal sealed class MessageRouter(
    XmppServerContext context,
    Carbons carbons,
    MessageArchiver archiver,
    BlockingService blocking,
    OfflineDelivery offline)
{
    public async ValueTask HandleAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        var to = stanza.To() ?? sender.BareJid;
        string type = stanza.Type() ?? "normal";
        if (stanza.Attribute("to") is not null && stanza.To() is null)
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.JidMalformed));
            return;
        }
        if (!context.IsLocalDomain(to))
        {
            Bounce(sender, stanza, StanzaErrorCondition.RemoteServerNotFound);
            return;
        }
        if (to.Local is null || !await context.Directory.UserExistsAsync(to.Local, cancellationToken).ConfigureAwait(false))
        {
            Bounce(sender, stanza, StanzaErrorCondition.ServiceUnavailable);
            return;
        }
        if (await blocking.BlocksAsync(sender.User, to, cancellationToken).ConfigureAwait(false))
        {
            if (type != "error") sender.Send(StanzaErrors.CreateBlockedReply(stanza));
            return;
        }
        if (await blocking.BlocksAsync(to.Local, sender.FullJid, cancellationToken).ConfigureAwait(false))
        {
            Bounce(sender, stanza, StanzaErrorCondition.ServiceUnavailable);
            return;
        }
        if (type == "groupchat" && context.Sessions.Find(to) is null)
        {
            Bounce(sender, stanza, StanzaErrorCondition.ServiceUnavailable);
            return;
        }

        var message = Stanza.Readdressed(stanza, to, sender.FullJid);
        bool eligibleForCarbons = Carbons.IsEligible(message);
        Carbons.StripPrivate(message);
        if (type != "error" && to.Bare != sender.BareJid)
        {
            var archiveId = await archiver.ArchiveAsync(message, sender.FullJid, to, cancellationToken).ConfigureAwait(false);
            if (archiveId is not null) MessageArchiver.StampStanzaId(message, archiveId, to);
        }
        if (eligibleForCarbons) carbons.SendSentCopies(sender, message);

        var delivered = DeliverLocal(message, to, type);
        if (delivered is null)
        {
            await StoreOfflineAsync(sender, stanza, message, to, type, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (eligibleForCarbons && delivered.Count > 0) carbons.SendReceivedCopies(to.Local, message, delivered);
    }

    /// <summary>
    /// Delivers a message the host originates (e.g. a missed-call notice) from the server's domain
    /// to a local user, storing it offline when the user is away. Returns false for unknown users
    /// or a full offline queue.
    /// </summary>
    public async ValueTask<bool> DeliverFromServerAsync(Jid to, XElement message, CancellationToken cancellationToken)
    {
        if (!await context.IsLocalUserAsync(to, cancellationToken).ConfigureAwait(false)) return false;
        var stamped = Stanza.Readdressed(message, to, context.Domain);
        string type = stamped.Type() ?? "normal";
        if (DeliverLocal(stamped, to, type) is not null) return true;
        if (stamped.Element(Ns.Client + "body") is null) return false;
        stamped.Add(new XElement(Ns.Delay + "delay",
            new XAttribute("from", context.Domain.ToString()),
            new XAttribute("stamp", context.Timestamp())));
        if (!await context.OfflineStore.TryStoreAsync(to.Local!, stamped, cancellationToken).ConfigureAwait(false)) return false;
        await offline.FlushIfAvailableAsync(to.Local!, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Delivers to the addressed resource or the chosen resources. Returns the sessions that got it,
    /// or null when nobody was available and the message type calls for offline storage.
    /// </summary>
    private List<XmppSession>? DeliverLocal(XElement message, Jid to, string type)
    {
        if (to.Resource is not null && context.Sessions.Find(to) is { } exact && exact.Send(message))
        {
            return [exact];
        }
        if (type == "error" || (to.Resource is not null && type == "headline"))
        {
            // RFC 6121 §8.5: errors and headlines are not redirected to other resources, nor stored.
            return [];
        }
        var available = context.Sessions.AvailableSessionsOf(to.Local!).Where(s => s.Priority >= 0).ToList();
        if (available.Count == 0) return type is "chat" or "normal" ? null : [];
        var targets = type == "headline"
            ? available
            : available.Where(s => s.Priority == available.Max(a => a.Priority)).ToList();
        var delivered = targets.Where(target => target.Send(new XElement(message))).ToList();
        // Every chosen connection was closing: keep the message rather than lose it.
        if (delivered.Count == 0 && type is "chat" or "normal") return null;
        return delivered;
    }

    private async ValueTask StoreOfflineAsync(XmppSession sender, XElement original, XElement message, Jid to, string type,
        CancellationToken cancellationToken)
    {
        if (message.Element(Ns.Client + "body") is null || message.Element(Ns.Hints + "no-store") is not null) return;
        message.Add(new XElement(Ns.Delay + "delay",
            new XAttribute("from", context.Domain.ToString()),
            new XAttribute("stamp", context.Timestamp()),
            "Offline storage"));
        if (!await context.OfflineStore.TryStoreAsync(to.Local!, message, cancellationToken).ConfigureAwait(false))
        {
            if (type != "error") Bounce(sender, original, StanzaErrorCondition.ServiceUnavailable, "The recipient's offline storage is full.");
            return;
        }
        await offline.FlushIfAvailableAsync(to.Local!, cancellationToken).ConfigureAwait(false);
    }

    private static void Bounce(XmppSession sender, XElement stanza, StanzaErrorCondition condition, string? text = null)
    {
        // Never answer an error with an error (RFC 6120 §8.3.1).
        if (stanza.Type() == "error") return;
        sender.Send(StanzaErrors.CreateReply(stanza, condition, text));
    }
}
