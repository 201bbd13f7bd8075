using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Presence;

/// <summary>Delivery helpers for presence between local users; every contact lives on this server.</summary>
internal sealed class PresenceBroker(XmppServerContext context, TelephonyPresence telephony)
{
    /// <summary>Sends the last presence of each available resource of <paramref name="sourceUser"/> to one session.</summary>
    public void SendCurrentPresence(string sourceUser, XmppSession recipient)
    {
        foreach (var source in context.Sessions.AvailableSessionsOf(sourceUser))
        {
            if (source.LastPresence is { } presence)
            {
                recipient.Send(Stanza.Readdressed(presence, recipient.FullJid, source.FullJid));
            }
        }
        // The PBX's own resource for the user's phones counts as one of the user's resources.
        if (telephony.CurrentPresence(sourceUser) is { } phone)
        {
            recipient.Send(Stanza.Readdressed(phone, recipient.FullJid, phone.From()));
        }
    }

    public void SendCurrentPresenceToUser(string sourceUser, string recipientUser)
    {
        foreach (var recipient in context.Sessions.AvailableSessionsOf(recipientUser))
        {
            SendCurrentPresence(sourceUser, recipient);
        }
    }

    /// <summary>After a subscription ends, the former subscriber learns the contact is gone (RFC 6121 §3.2.3).</summary>
    public void SendUnavailableToUser(string sourceUser, string recipientUser)
    {
        var sources = context.Sessions.AvailableSessionsOf(sourceUser);
        foreach (var recipient in context.Sessions.AvailableSessionsOf(recipientUser))
        {
            foreach (var source in sources)
            {
                recipient.Send(Unavailable(source.FullJid, recipient.FullJid));
            }
        }
    }

    /// <summary>Delivers a stanza to every available resource of the user; false if none was available.</summary>
    public bool DeliverToAvailable(string user, XElement stanza)
    {
        bool delivered = false;
        foreach (var session in context.Sessions.AvailableSessionsOf(user))
        {
            var copy = new XElement(stanza);
            delivered |= session.Send(copy);
        }
        return delivered;
    }

    public static XElement Unavailable(Jid from, Jid to) =>
        new(Stanza.Presence,
            new XAttribute("type", "unavailable"),
            new XAttribute("from", from.ToString()),
            new XAttribute("to", to.ToString()));
}
