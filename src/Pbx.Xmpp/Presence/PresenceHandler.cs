using System.Globalization;
using System.Xml.Linq;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Presence;

/// <summary>
/// Presence broadcast, probes and directed presence (RFC 6121 §4). Subscription-related
/// presence types are handed to <see cref="SubscriptionHandler"/>.
/// </summary>
internal sealed class PresenceHandler(
    XmppServerContext context,
    RosterService roster,
    PresenceBroker broker,
    TelephonyPresence telephony,
    SubscriptionHandler subscriptions,
    BlockingService blocking,
    IReadOnlyList<ISessionObserver> initialPresenceObservers) : ISessionObserver
{
    public async ValueTask HandleAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        string? type = stanza.Type();
        var to = stanza.To();
        if (SubscriptionHandler.IsSubscriptionType(type))
        {
            if (to is null)
            {
                sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.BadRequest, "Subscription requests need a 'to'."));
                return;
            }
            await subscriptions.HandleOutboundAsync(sender, stanza, to, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (type == "probe")
        {
            if (to is not null) await AnswerProbeAsync(sender, to, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (type == "error")
        {
            if (to is not null && context.Sessions.Find(to) is { } target) target.Send(new XElement(stanza));
            return;
        }
        if (type is not (null or "unavailable"))
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.BadRequest, "Unknown presence type."));
            return;
        }
        if (stanza.Element(Ns.Client + "show")?.Value is { } show && show is not ("away" or "chat" or "dnd" or "xa"))
        {
            // RFC 6121 §4.7.2.1 allows exactly these four values.
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.BadRequest, "Invalid <show/> value."));
            return;
        }
        if (to is not null && to != context.Domain && to != sender.BareJid)
        {
            await SendDirectedAsync(sender, stanza, to, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (type is null)
        {
            await BroadcastAvailableAsync(sender, stanza, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await BroadcastUnavailableAsync(sender, stanza, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a user's phone state to the user's presence subscribers and own resources.</summary>
    public async ValueTask PublishTelephonyAsync(string user, TelephonyState state, CancellationToken cancellationToken)
    {
        if (!telephony.Update(user, state)) return;
        var subscribers = await roster.GetPresenceSubscribersAsync(user, cancellationToken).ConfigureAwait(false);
        var recipients = await UnblockedAsync(user, subscribers, cancellationToken).ConfigureAwait(false);
        SendToUsers(telephony.Build(user, state), recipients.Append(user));
    }

    public async ValueTask OnSessionEndedAsync(XmppSession session, bool replaced, CancellationToken cancellationToken)
    {
        if (replaced || (!session.IsAvailable && !session.HasDirectedPresenceTargets)) return;
        var unavailable = new XElement(Stanza.Presence, new XAttribute("type", "unavailable"));
        await BroadcastUnavailableAsync(session, unavailable, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask BroadcastAvailableAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        int priority = ParsePriority(stanza);
        bool initial = !sender.IsAvailable;
        var presence = Stanza.Readdressed(stanza, null, sender.FullJid);
        sender.SetAvailable(presence, priority);

        var subscribers = await roster.GetPresenceSubscribersAsync(sender.User, cancellationToken).ConfigureAwait(false);
        var recipients = await UnblockedAsync(sender.User, subscribers, cancellationToken).ConfigureAwait(false);
        SendToUsers(presence, recipients.Append(sender.User));
        if (!initial) return;

        // Stand-in for probes (RFC 6121 §4.3): every contact is local, so their presence is known here.
        var sources = await roster.GetPresenceSourcesAsync(sender.User, cancellationToken).ConfigureAwait(false);
        foreach (var source in await UnblockedAsync(sender.User, sources, cancellationToken).ConfigureAwait(false))
        {
            broker.SendCurrentPresence(source, sender);
        }
        foreach (var own in context.Sessions.AvailableSessionsOf(sender.User))
        {
            if (own != sender && own.LastPresence is { } ownPresence)
            {
                sender.Send(Stanza.Readdressed(ownPresence, sender.FullJid, own.FullJid));
            }
        }
        foreach (var observer in initialPresenceObservers)
        {
            await observer.OnInitialPresenceAsync(sender, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask BroadcastUnavailableAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        bool wasAvailable = sender.IsAvailable;
        sender.SetUnavailable();
        var presence = Stanza.Readdressed(stanza, null, sender.FullJid);
        presence.SetAttributeValue("type", "unavailable");
        var recipients = new List<string> { sender.User };
        if (wasAvailable)
        {
            var subscribers = await roster.GetPresenceSubscribersAsync(sender.User, cancellationToken).ConfigureAwait(false);
            recipients.AddRange(await UnblockedAsync(sender.User, subscribers, cancellationToken).ConfigureAwait(false));
        }
        SendToUsers(presence, recipients, skip: sender);
        foreach (var target in sender.TakeDirectedPresenceTargets())
        {
            DeliverToJid(Stanza.Readdressed(presence, target, sender.FullJid), target);
        }
    }

    private async ValueTask SendDirectedAsync(XmppSession sender, XElement stanza, Jid to, CancellationToken cancellationToken)
    {
        if (!await context.IsLocalUserAsync(to, cancellationToken).ConfigureAwait(false)) return;
        if (await blocking.EitherBlocksAsync(sender.User, to, cancellationToken).ConfigureAwait(false)) return;
        var copy = Stanza.Readdressed(stanza, to, sender.FullJid);
        DeliverToJid(copy, to);
        // Directed presence to a non-subscriber is revoked when the sender goes offline (RFC 6121 §4.6.3).
        if (stanza.Type() == "unavailable") sender.RemoveDirectedPresenceTarget(to);
        else sender.AddDirectedPresenceTarget(to);
    }

    private async ValueTask AnswerProbeAsync(XmppSession sender, Jid to, CancellationToken cancellationToken)
    {
        var contact = to.Bare;
        if (contact.Local is null || !context.IsLocalDomain(contact)) return;
        var item = await roster.GetItemAsync(sender.User, contact.ToString(), cancellationToken).ConfigureAwait(false);
        if (await blocking.EitherBlocksAsync(sender.User, contact, cancellationToken).ConfigureAwait(false)) return;
        if (item?.HasTo == true || contact == sender.BareJid) broker.SendCurrentPresence(contact.Local, sender);
    }

    private async ValueTask<List<string>> UnblockedAsync(string user, IEnumerable<Jid> contacts, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        foreach (var contact in contacts)
        {
            if (!await blocking.EitherBlocksAsync(user, contact, cancellationToken).ConfigureAwait(false)) result.Add(contact.Local!);
        }
        return result;
    }

    private void SendToUsers(XElement presence, IEnumerable<string> users, XmppSession? skip = null)
    {
        foreach (var user in users.Distinct(StringComparer.Ordinal))
        {
            foreach (var session in context.Sessions.AvailableSessionsOf(user))
            {
                if (session == skip) continue;
                session.Send(Stanza.Readdressed(presence, session.FullJid, presence.From()));
            }
        }
    }

    private void DeliverToJid(XElement presence, Jid to)
    {
        if (to.Resource is not null)
        {
            context.Sessions.Find(to)?.Send(presence);
            return;
        }
        broker.DeliverToAvailable(to.Local!, presence);
    }

    private static int ParsePriority(XElement stanza)
    {
        var text = stanza.Element(Ns.Client + "priority")?.Value;
        if (text is null || !int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int priority)) return 0;
        return Math.Clamp(priority, -128, 127);
    }
}
