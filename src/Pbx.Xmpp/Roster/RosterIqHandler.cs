using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Roster;

/// <summary>Roster get and set (RFC 6121 §2). Roster versioning is not offered.</summary>
internal sealed class RosterIqHandler(XmppServerContext context, RosterService roster, SubscriptionHandler subscriptions) : IIqHandler
{
    private const int MaxNameLength = 1024;
    private const int MaxGroups = 64;

    public IEnumerable<XName> Payloads => [Ns.Roster + "query"];

    public IEnumerable<string> ServerFeatures => [];

    public async ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (!request.TargetsOwnAccount)
        {
            request.Error(StanzaErrorCondition.Forbidden);
            return;
        }
        if (request.IsGet)
        {
            request.Sender.IsRosterInterested = true;
            var items = await roster.GetRosterAsync(request.Sender.User, cancellationToken).ConfigureAwait(false);
            request.Reply(new XElement(Ns.Roster + "query", items.Select(i => i.ToXml())));
            return;
        }
        await HandleSetAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask HandleSetAsync(IqRequest request, CancellationToken cancellationToken)
    {
        var items = request.Payload.Elements(Ns.Roster + "item").ToList();
        if (items.Count != 1 || request.Payload.Elements().Count() != 1)
        {
            request.Error(StanzaErrorCondition.BadRequest, "A roster set carries exactly one item.");
            return;
        }
        var element = items[0];
        if (!Jid.TryParse((string?)element.Attribute("jid"), out var jid) || !jid.IsBare)
        {
            request.Error(StanzaErrorCondition.JidMalformed);
            return;
        }
        if (jid == request.Sender.BareJid)
        {
            request.Error(StanzaErrorCondition.NotAllowed, "You cannot add yourself.");
            return;
        }
        string user = request.Sender.User;
        string contact = jid.ToString();
        if ((string?)element.Attribute("subscription") == "remove")
        {
            await RemoveAsync(request, jid, cancellationToken).ConfigureAwait(false);
            return;
        }

        string? name = (string?)element.Attribute("name");
        var groups = element.Elements(Ns.Roster + "group").Select(g => g.Value).ToList();
        if (name?.Length > MaxNameLength || groups.Count > MaxGroups || groups.Any(g => g.Length == 0 || g.Length > MaxNameLength))
        {
            request.Error(StanzaErrorCondition.NotAcceptable);
            return;
        }
        if (groups.Distinct(StringComparer.Ordinal).Count() != groups.Count)
        {
            request.Error(StanzaErrorCondition.BadRequest, "Duplicate group.");
            return;
        }
        using var held = await roster.Locks.AcquireAsync(user, null, cancellationToken).ConfigureAwait(false);
        var existing = await context.RosterStore.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        // Clients cannot set subscription state through the roster (RFC 6121 §2.1.2.5); only name and groups change.
        var updated = existing is null
            ? new RosterItem(contact, name, Subscription.None, false, groups)
            : existing with { Name = name, Groups = groups };
        await context.RosterStore.SetItemAsync(user, updated, cancellationToken).ConfigureAwait(false);
        request.Reply();
        await roster.PushContactAsync(user, contact, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RemoveAsync(IqRequest request, Jid contactJid, CancellationToken cancellationToken)
    {
        string user = request.Sender.User;
        string contact = contactJid.ToString();
        var effective = await roster.GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        if (effective is null)
        {
            request.Error(StanzaErrorCondition.ItemNotFound);
            return;
        }
        if (effective.IsShared)
        {
            request.Error(StanzaErrorCondition.NotAllowed, "Contacts of the PBX directory cannot be removed.");
            return;
        }
        // RFC 6121 §2.5.2: removing an item also cancels the subscriptions in both directions.
        if (effective.HasTo || effective.AskSubscribe)
        {
            await subscriptions.HandleOutboundAsync(request.Sender, SubscriptionPresence("unsubscribe", contactJid), contactJid, cancellationToken).ConfigureAwait(false);
        }
        if (effective.HasFrom)
        {
            await subscriptions.HandleOutboundAsync(request.Sender, SubscriptionPresence("unsubscribed", contactJid), contactJid, cancellationToken).ConfigureAwait(false);
        }
        using (await roster.Locks.AcquireAsync(user, null, cancellationToken).ConfigureAwait(false))
        {
            await context.RosterStore.RemovePendingInboundAsync(user, contact, cancellationToken).ConfigureAwait(false);
            await context.RosterStore.RemoveItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        }
        request.Reply();
        roster.Push(user, RosterService.RemovedItem(contact));
    }

    private static XElement SubscriptionPresence(string type, Jid to) =>
        new(Stanza.Presence, new XAttribute("type", type), new XAttribute("to", to.ToString()));
}
