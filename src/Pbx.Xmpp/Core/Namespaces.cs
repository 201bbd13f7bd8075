using System.Xml.Linq;

namespace Pbx.Xmpp.Core;

/// <summary>XML namespaces used by the server, in one place so names never drift.</summary>
public static class Ns
{
    public static readonly XNamespace Client = "jabber:client";
    public static readonly XNamespace Stream = "http://etherx.jabber.org/streams";
    public static readonly XNamespace StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
    public static readonly XNamespace Stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static readonly XNamespace Bind = "urn:ietf:params:xml:ns:xmpp-bind";
    public static readonly XNamespace Session = "urn:ietf:params:xml:ns:xmpp-session";
    public static readonly XNamespace Roster = "jabber:iq:roster";
    public static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";
    public static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";
    public static readonly XNamespace Ping = "urn:xmpp:ping";
    public static readonly XNamespace VCard = "vcard-temp";
    public static readonly XNamespace Carbons = "urn:xmpp:carbons:2";
    public static readonly XNamespace Forward = "urn:xmpp:forward:0";
    public static readonly XNamespace Delay = "urn:xmpp:delay";
    public static readonly XNamespace Mam = "urn:xmpp:mam:2";
    public static readonly XNamespace Rsm = "http://jabber.org/protocol/rsm";
    public static readonly XNamespace DataForms = "jabber:x:data";
    public static readonly XNamespace Hints = "urn:xmpp:hints";
    public static readonly XNamespace StanzaId = "urn:xmpp:sid:0";
    public static readonly XNamespace Blocking = "urn:xmpp:blocking";
    public static readonly XNamespace BlockingErrors = "urn:xmpp:blocking:errors";
    public static readonly XNamespace StreamManagement = "urn:xmpp:sm:3";
    public static readonly XNamespace Muc = "http://jabber.org/protocol/muc";
    public static readonly XNamespace MucUser = "http://jabber.org/protocol/muc#user";
    public static readonly XNamespace MucOwner = "http://jabber.org/protocol/muc#owner";
}
