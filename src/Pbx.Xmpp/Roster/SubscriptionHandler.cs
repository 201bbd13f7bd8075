using System.Xml.Linq;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Presence;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Roster;

/// <summary>
/// Presence subscription state machine of RFC 6121 §3. Both ends are local, so the "contact's
/// server" half of each exchange runs right here after the user's half. Shared-roster contacts
/// are permanently subscribed both ways: requests are answered at once, cancellations ignored.
/// </summary>
internal sealed class SubscriptionHandler(XmppServerContext context, RosterService roster, PresenceBroker presence, BlockingService blocking)
    : ISessionObserver
{
    public static bool IsSubscriptionType(string? type) =>
        type is "subscribe" or "subscribed" or "unsubscribe" or "unsubscribed";

    public async ValueTask HandleOutboundAsync(XmppSession sender, XElement stanza, Jid target, CancellationToken cancellationToken)
    {
        var contactJid = target.Bare;
        if (contactJid.Local is null || contactJid == sender.BareJid) return;
        // Both rosters change in one exchange; serialize against other changes to either of them.
        using var held = await roster.Locks.AcquireAsync(sender.User, contactJid.Local, cancellationToken).ConfigureAwait(false);
        await HandleOutboundLockedAsync(sender, stanza, contactJid, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask HandleOutboundLockedAsync(XmppSession sender, XElement stanza, Jid contactJid, CancellationToken cancellationToken)
    {
        if (contactJid.Local is null) return;
        if (!context.IsLocalDomain(contactJid))
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.RemoteServerNotFound));
            return;
        }
        string user = sender.User;
        if (await blocking.BlocksAsync(user, contactJid, cancellationToken).ConfigureAwait(false))
        {
            sender.Send(StanzaErrors.CreateBlockedReply(stanza));
            return;
        }
        // A blocked request is dropped silently so the blocker is not revealed (XEP-0191 §3.4).
        if (await blocking.BlocksAsync(contactJid.Local, sender.BareJid, cancellationToken).ConfigureAwait(false)) return;
        string contact = contactJid.ToString();
        var effective = await roster.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        bool shared = effective?.IsShared == true;
        bool contactExists = await context.IsLocalUserAsync(contactJid, cancellationToken).ConfigureAwait(false);

        switch (stanza.Type())
        {
            case "subscribe":
                if (shared)
                {
                    DeliverSubscriptionPresence(user, contactJid, "subscribed", null);
                    return;
                }
                await MarkAskAsync(user, contact, cancellationToken).ConfigureAwait(false);
                if (contactExists)
                {
                    await InboundSubscribeAsync(contactJid.Local, sender.BareJid, stanza, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await InboundUnsubscribedAsync(user, contactJid, cancellationToken).ConfigureAwait(false);
                }
                break;
            case "subscribed" when !shared:
                if (await ApproveAsync(user, contact, cancellationToken).ConfigureAwait(false) && contactExists)
                {
                    await InboundSubscribedAsync(contactJid.Local, sender.BareJid, cancellationToken).ConfigureAwait(false);
                    presence.SendCurrentPresenceToUser(user, contactJid.Local);
                }
                break;
            case "unsubscribe" when !shared:
                await UpdateAsync(user, contact, item => item.HasTo || item.AskSubscribe,
                    item => item with { Subscription = RosterItem.With(false, item.HasFrom), AskSubscribe = false }, cancellationToken).ConfigureAwait(false);
                if (contactExists) await InboundUnsubscribeAsync(contactJid.Local, sender.BareJid, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribed" when !shared:
                await context.RosterStore.RemovePendingInboundAsync(user, contact, cancellationToken).ConfigureAwait(false);
                await UpdateAsync(user, contact, item => item.HasFrom,
                    item => item with { Subscription = RosterItem.With(item.HasTo, false) }, cancellationToken).ConfigureAwait(false);
                if (contactExists)
                {
                    await InboundUnsubscribedAsync(contactJid.Local, sender.BareJid, cancellationToken).ConfigureAwait(false);
                    presence.SendUnavailableToUser(user, contactJid.Local);
                }
                break;
        }
    }

    /// <summary>Requests the user has not answered yet are shown again when they come online (RFC 6121 §3.1.3).</summary>
    public async ValueTask OnInitialPresenceAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var pending = await context.RosterStore.GetPendingInboundAsync(session.User, cancellationToken).ConfigureAwait(false);
        foreach (var contact in pending)
        {
            session.Send(new XElement(Stanza.Presence,
                new XAttribute("type", "subscribe"),
                new XAttribute("from", contact),
                new XAttribute("to", session.BareJid.ToString())));
        }
    }

    private async ValueTask MarkAskAsync(string user, string contact, CancellationToken cancellationToken)
    {
        var item = await context.RosterStore.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false)
                   ?? new RosterItem(contact, null, Subscription.None, false, []);
        if (item.HasTo || item.AskSubscribe) return;
        await context.RosterStore.SetItemAsync(user, item with { AskSubscribe = true }, cancellationToken).ConfigureAwait(false);
        await roster.PushContactAsync(user, contact, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> ApproveAsync(string user, string contact, CancellationToken cancellationToken)
    {
        // Without a pending request there is nothing to approve; pre-approval (RFC 6121 §3.4) is not offered.
        if (!await context.RosterStore.RemovePendingInboundAsync(user, contact, cancellationToken).ConfigureAwait(false)) return false;
        var item = await context.RosterStore.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false)
                   ?? new RosterItem(contact, null, Subscription.None, false, []);
        await context.RosterStore.SetItemAsync(user, item with { Subscription = RosterItem.With(item.HasTo, true) }, cancellationToken).ConfigureAwait(false);
        await roster.PushContactAsync(user, contact, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async ValueTask InboundSubscribeAsync(string recipient, Jid sender, XElement original, CancellationToken cancellationToken)
    {
        var item = await context.RosterStore.GetItemAsync(recipient, sender.ToString(), cancellationToken).ConfigureAwait(false);
        if (item?.HasFrom == true)
        {
            // Already approved: answer for the contact (RFC 6121 §3.1.3).
            await InboundSubscribedAsync(sender.Local!, BareOf(recipient), cancellationToken).ConfigureAwait(false);
            return;
        }
        await context.RosterStore.AddPendingInboundAsync(recipient, sender.ToString(), cancellationToken).ConfigureAwait(false);
        DeliverSubscriptionPresence(recipient, sender, "subscribe", original);
    }

    private async ValueTask InboundSubscribedAsync(string recipient, Jid sender, CancellationToken cancellationToken)
    {
        bool changed = await UpdateAsync(recipient, sender.ToString(), item => item.AskSubscribe,
            item => item with { Subscription = RosterItem.With(true, item.HasFrom), AskSubscribe = false }, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            DeliverSubscriptionPresence(recipient, sender, "subscribed", null);
            presence.SendCurrentPresenceToUser(sender.Local!, recipient);
        }
    }

    private async ValueTask InboundUnsubscribeAsync(string recipient, Jid sender, CancellationToken cancellationToken)
    {
        bool hadPending = await context.RosterStore.RemovePendingInboundAsync(recipient, sender.ToString(), cancellationToken).ConfigureAwait(false);
        bool changed = await UpdateAsync(recipient, sender.ToString(), item => item.HasFrom,
            item => item with { Subscription = RosterItem.With(item.HasTo, false) }, cancellationToken).ConfigureAwait(false);
        if (changed || hadPending) DeliverSubscriptionPresence(recipient, sender, "unsubscribe", null);
    }

    private async ValueTask InboundUnsubscribedAsync(string recipient, Jid sender, CancellationToken cancellationToken)
    {
        bool changed = await UpdateAsync(recipient, sender.ToString(), item => item.HasTo || item.AskSubscribe,
            item => item with { Subscription = RosterItem.With(false, item.HasFrom), AskSubscribe = false }, cancellationToken).ConfigureAwait(false);
        if (changed) DeliverSubscriptionPresence(recipient, sender, "unsubscribed", null);
    }

    private async ValueTask<bool> UpdateAsync(string user, string contact, Func<RosterItem, bool> applies,
        Func<RosterItem, RosterItem> change, CancellationToken cancellationToken)
    {
        var item = await context.RosterStore.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        if (item is null || !applies(item)) return false;
        await context.RosterStore.SetItemAsync(user, change(item), cancellationToken).ConfigureAwait(false);
        await roster.PushContactAsync(user, contact, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private void DeliverSubscriptionPresence(string recipient, Jid from, string type, XElement? original)
    {
        var stanza = new XElement(Stanza.Presence,
            new XAttribute("type", type),
            new XAttribute("from", from.ToString()),
            new XAttribute("to", BareOf(recipient).ToString()));
        if (original is not null)
        {
            foreach (var child in original.Elements()) stanza.Add(new XElement(child));
        }
        presence.DeliverToAvailable(recipient, stanza);
    }

    private Jid BareOf(string user) => context.BareJidOf(user);
}
