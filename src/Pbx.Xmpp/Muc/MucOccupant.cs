using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Muc;

/// <summary>One session present in a room under a nickname.</summary>
internal sealed class MucOccupant(string nick, XmppSession session, string affiliation, string role)
{
    public string Nick { get; } = nick;
    public XmppSession Session { get; } = session;
    public string Affiliation { get; } = affiliation;
    public string Role { get; } = role;

    /// <summary>The occupant's last presence as sent by its client, without addressing.</summary>
    public XElement Presence { get; set; } = new(Stanza.Presence);

    /// <summary>Non-anonymous rooms (a PBX is a closed user group): everyone sees the real JID.</summary>
    public XElement UserItem(bool unavailable = false) =>
        new(Ns.MucUser + "item",
            new XAttribute("affiliation", Affiliation),
            new XAttribute("role", unavailable ? "none" : Role),
            new XAttribute("jid", Session.FullJid.ToString()));
}
