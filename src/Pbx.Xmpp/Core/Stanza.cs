using System.Xml.Linq;

namespace Pbx.Xmpp.Core;

/// <summary>Helpers to read and build the three stanza kinds without repeating attribute plumbing.</summary>
public static class Stanza
{
    public static readonly XName Message = Ns.Client + "message";
    public static readonly XName Presence = Ns.Client + "presence";
    public static readonly XName Iq = Ns.Client + "iq";

    public static string? Type(this XElement stanza) => (string?)stanza.Attribute("type");

    public static string? Id(this XElement stanza) => (string?)stanza.Attribute("id");

    public static Jid? To(this XElement stanza) =>
        Jid.TryParse((string?)stanza.Attribute("to"), out var jid) ? jid : null;

    public static Jid? From(this XElement stanza) =>
        Jid.TryParse((string?)stanza.Attribute("from"), out var jid) ? jid : null;

    public static bool IsStanza(XElement element) =>
        element.Name == Message || element.Name == Presence || element.Name == Iq;

    public static XElement IqResult(XElement request, params object?[] content)
    {
        var result = new XElement(Iq, new XAttribute("type", "result"));
        if (request.Id() is { } id) result.SetAttributeValue("id", id);
        result.SetAttributeValue("to", (string?)request.Attribute("from"));
        result.SetAttributeValue("from", (string?)request.Attribute("to"));
        result.Add(content);
        return result;
    }

    /// <summary>A copy with new addressing; stanzas are routed as copies so one recipient never sees another's edits.</summary>
    public static XElement Readdressed(XElement stanza, Jid? to, Jid? from)
    {
        var copy = new XElement(stanza);
        copy.SetAttributeValue("to", to?.ToString());
        copy.SetAttributeValue("from", from?.ToString());
        return copy;
    }

    public static string NewId() => Guid.NewGuid().ToString("N")[..16];
}
