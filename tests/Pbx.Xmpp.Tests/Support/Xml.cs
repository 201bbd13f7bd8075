using System.Xml.Linq;

namespace Pbx.Xmpp.Tests.Support;

internal static class Xml
{
    public static readonly XNamespace Client = "jabber:client";
    public static readonly XNamespace StreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
    public static readonly XNamespace Stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";

    public static string? Attr(this XElement element, string name) => element.Attribute(name)?.Value;

    public static bool IsStreamError(this XElement element, string condition) =>
        element.Name == RawXmppClient.Streams + "error" && element.Element(StreamErrors + condition) is not null;

    public static bool HasStanzaError(this XElement element, string condition) =>
        element.Attr("type") == "error" && element.Element(Client + "error")?.Element(Stanzas + condition) is not null;
}
