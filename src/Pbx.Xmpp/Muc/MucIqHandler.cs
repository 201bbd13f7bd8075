using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Muc;

/// <summary>iq requests to the MUC service and its rooms: discovery and instant-room confirmation.</summary>
internal static class MucIqHandler
{
    public static ValueTask HandleAsync(MucService service, XmppSession sender, XElement stanza, Jid to, CancellationToken cancellationToken)
    {
        string? type = stanza.Type();
        if (type is "result" or "error") return ValueTask.CompletedTask;
        var payload = stanza.Elements().FirstOrDefault();
        if (type is not ("get" or "set") || payload is null || stanza.Elements().Count() != 1)
        {
            MucService.Reply(sender, stanza, StanzaErrorCondition.BadRequest);
            return ValueTask.CompletedTask;
        }
        if (to.Resource is not null)
        {
            // Requests to occupants would need response tracking across real JIDs; not offered.
            MucService.Reply(sender, stanza, StanzaErrorCondition.ServiceUnavailable);
            return ValueTask.CompletedTask;
        }
        var room = service.Find(to);
        if (to.Local is not null && room is null)
        {
            MucService.Reply(sender, stanza, StanzaErrorCondition.ItemNotFound);
            return ValueTask.CompletedTask;
        }
        if (room is not null && type == "set" && payload.Name == Ns.MucOwner + "query")
        {
            ConfirmInstantRoom(room, sender, stanza, payload, to);
            return ValueTask.CompletedTask;
        }
        XElement? reply = type != "get" ? null
            : payload.Name == Ns.DiscoInfo + "query" ? (room is null ? ServiceInfo() : RoomInfo(room))
            : payload.Name == Ns.DiscoItems + "query" ? (room is null ? ServiceItems(service) : new XElement(Ns.DiscoItems + "query"))
            : null;
        if (reply is null)
        {
            MucService.Reply(sender, stanza, payload.Name.Namespace == Ns.MucOwner
                ? StanzaErrorCondition.FeatureNotImplemented
                : StanzaErrorCondition.ServiceUnavailable);
            return ValueTask.CompletedTask;
        }
        SendResult(sender, stanza, to, reply);
        return ValueTask.CompletedTask;
    }

    private static void SendResult(XmppSession sender, XElement stanza, Jid from, XElement? payload)
    {
        var result = Stanza.IqResult(stanza, payload);
        result.SetAttributeValue("to", sender.FullJid.ToString());
        result.SetAttributeValue("from", from.ToString());
        sender.Send(result);
    }

    private static XElement ServiceInfo() =>
        new(Ns.DiscoInfo + "query",
            new XElement(Ns.DiscoInfo + "identity", new XAttribute("category", "conference"), new XAttribute("type", "text"), new XAttribute("name", "Chat rooms")),
            new XElement(Ns.DiscoInfo + "feature", new XAttribute("var", Ns.Muc.NamespaceName)),
            new XElement(Ns.DiscoInfo + "feature", new XAttribute("var", Ns.DiscoInfo.NamespaceName)),
            new XElement(Ns.DiscoInfo + "feature", new XAttribute("var", Ns.DiscoItems.NamespaceName)));

    private static XElement ServiceItems(MucService service) =>
        new(Ns.DiscoItems + "query",
            service.Rooms.OrderBy(r => r.Jid.Local, StringComparer.Ordinal).Select(r =>
                new XElement(Ns.DiscoItems + "item", new XAttribute("jid", r.Jid.ToString()), new XAttribute("name", r.Title))));

    private static XElement RoomInfo(MucRoom room) =>
        new(Ns.DiscoInfo + "query",
            new XElement(Ns.DiscoInfo + "identity", new XAttribute("category", "conference"), new XAttribute("type", "text"), new XAttribute("name", room.Title)),
            new[] { Ns.Muc.NamespaceName, Ns.DiscoInfo.NamespaceName, room.IsPersistent ? "muc_persistent" : "muc_temporary", "muc_open", "muc_nonanonymous", "muc_unmoderated", "muc_public" }
                .Select(f => new XElement(Ns.DiscoInfo + "feature", new XAttribute("var", f))));

    /// <summary>
    /// Rooms are usable at once; an owner's empty form submission (XEP-0045 §10.1.2) is accepted
    /// so clients that confirm "instant rooms" proceed. Other configuration is not offered.
    /// </summary>
    private static void ConfirmInstantRoom(MucRoom room, XmppSession sender, XElement stanza, XElement payload, Jid to)
    {
        if (!room.IsOwner(sender))
        {
            MucService.Reply(sender, stanza, StanzaErrorCondition.Forbidden);
            return;
        }
        var form = payload.Element(Ns.DataForms + "x");
        bool instant = form is not null
                       && (string?)form.Attribute("type") is "submit" or "cancel"
                       && form.Elements(Ns.DataForms + "field").All(f => (string?)f.Attribute("var") == "FORM_TYPE");
        if (instant) SendResult(sender, stanza, to, null);
        else MucService.Reply(sender, stanza, StanzaErrorCondition.FeatureNotImplemented, "Room configuration is not supported.");
    }
}
