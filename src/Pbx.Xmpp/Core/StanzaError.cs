using System.Xml.Linq;

namespace Pbx.Xmpp.Core;

/// <summary>Stanza error conditions of RFC 6120 §8.3.3 that this server emits.</summary>
public enum StanzaErrorCondition
{
    BadRequest,
    Conflict,
    FeatureNotImplemented,
    Forbidden,
    InternalServerError,
    ItemNotFound,
    JidMalformed,
    NotAcceptable,
    NotAllowed,
    NotAuthorized,
    PolicyViolation,
    RecipientUnavailable,
    RemoteServerNotFound,
    ResourceConstraint,
    ServiceUnavailable,
    UnexpectedRequest,
}

public static class StanzaErrors
{
    public static string ElementName(StanzaErrorCondition condition) => condition switch
    {
        StanzaErrorCondition.BadRequest => "bad-request",
        StanzaErrorCondition.Conflict => "conflict",
        StanzaErrorCondition.FeatureNotImplemented => "feature-not-implemented",
        StanzaErrorCondition.Forbidden => "forbidden",
        StanzaErrorCondition.InternalServerError => "internal-server-error",
        StanzaErrorCondition.ItemNotFound => "item-not-found",
        StanzaErrorCondition.JidMalformed => "jid-malformed",
        StanzaErrorCondition.NotAcceptable => "not-acceptable",
        StanzaErrorCondition.NotAllowed => "not-allowed",
        StanzaErrorCondition.NotAuthorized => "not-authorized",
        StanzaErrorCondition.PolicyViolation => "policy-violation",
        StanzaErrorCondition.RecipientUnavailable => "recipient-unavailable",
        StanzaErrorCondition.RemoteServerNotFound => "remote-server-not-found",
        StanzaErrorCondition.ResourceConstraint => "resource-constraint",
        StanzaErrorCondition.ServiceUnavailable => "service-unavailable",
        StanzaErrorCondition.UnexpectedRequest => "unexpected-request",
        _ => "undefined-condition",
    };

    /// <summary>The error type RFC 6120 §8.3.3 recommends for each condition.</summary>
    public static string DefaultType(StanzaErrorCondition condition) => condition switch
    {
        StanzaErrorCondition.Conflict => "cancel",
        StanzaErrorCondition.FeatureNotImplemented => "cancel",
        StanzaErrorCondition.Forbidden => "auth",
        StanzaErrorCondition.InternalServerError => "cancel",
        StanzaErrorCondition.ItemNotFound => "cancel",
        StanzaErrorCondition.JidMalformed => "modify",
        StanzaErrorCondition.NotAcceptable => "modify",
        StanzaErrorCondition.NotAllowed => "cancel",
        StanzaErrorCondition.NotAuthorized => "auth",
        StanzaErrorCondition.PolicyViolation => "modify",
        StanzaErrorCondition.RecipientUnavailable => "wait",
        StanzaErrorCondition.RemoteServerNotFound => "cancel",
        StanzaErrorCondition.ResourceConstraint => "wait",
        StanzaErrorCondition.ServiceUnavailable => "cancel",
        StanzaErrorCondition.UnexpectedRequest => "wait",
        _ => "modify",
    };

    /// <summary>
    /// Builds the error reply to <paramref name="original"/> (RFC 6120 §8.3.1): addresses swapped,
    /// same id, type "error", original payload kept so the sender can correlate it.
    /// </summary>
    public static XElement CreateReply(XElement original, StanzaErrorCondition condition, string? text = null, Jid? errorFrom = null)
    {
        var reply = new XElement(original.Name);
        var id = (string?)original.Attribute("id");
        if (id is not null) reply.SetAttributeValue("id", id);
        reply.SetAttributeValue("type", "error");
        reply.SetAttributeValue("to", (string?)original.Attribute("from"));
        reply.SetAttributeValue("from", errorFrom?.ToString() ?? (string?)original.Attribute("to"));
        if (original.Name.LocalName != "iq")
        {
            foreach (var child in original.Elements())
            {
                if (child.Name.LocalName != "error") reply.Add(new XElement(child));
            }
        }
        else if (original.Elements().FirstOrDefault() is { } payload)
        {
            reply.Add(new XElement(payload));
        }
        var error = new XElement(Ns.Client + "error",
            new XAttribute("type", DefaultType(condition)),
            new XElement(Ns.Stanzas + ElementName(condition)));
        if (text is not null) error.Add(new XElement(Ns.Stanzas + "text", text));
        reply.Add(error);
        return reply;
    }

    /// <summary>The error for stanzas a user sends to someone they block (XEP-0191 §3.4).</summary>
    public static XElement CreateBlockedReply(XElement original)
    {
        var reply = CreateReply(original, StanzaErrorCondition.NotAcceptable);
        reply.Element(Ns.Client + "error")!.Add(new XElement(Ns.BlockingErrors + "blocked"));
        return reply;
    }
}
