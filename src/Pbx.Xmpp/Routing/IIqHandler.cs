using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Routing;

/// <summary>
/// A module answering iq get/set requests for one or more payload elements, addressed to the
/// server or to an account on it (like a Prosody mod_*). Requests to a full JID never reach it.
/// </summary>
internal interface IIqHandler
{
    IEnumerable<XName> Payloads { get; }

    /// <summary>Features advertised in the server's disco#info.</summary>
    IEnumerable<string> ServerFeatures { get; }

    /// <summary>Features advertised in an account's (bare JID's) disco#info.</summary>
    IEnumerable<string> AccountFeatures => [];

    ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// An iq request with its resolved target: <see cref="Target"/> is the server domain or a bare
/// JID; an iq without 'to' targets the sender's own account (RFC 6120 §10.3.3).
/// </summary>
internal sealed class IqRequest(XmppSession sender, XElement stanza, XElement payload, Jid target, bool targetsServer)
{
    public XmppSession Sender { get; } = sender;
    public XElement Stanza { get; } = stanza;
    public XElement Payload { get; } = payload;
    public Jid Target { get; } = target;
    public bool TargetsServer { get; } = targetsServer;
    public bool TargetsOwnAccount => !TargetsServer && Target == Sender.BareJid;
    public bool IsGet => Stanza.Type() == "get";
    public bool IsSet => Stanza.Type() == "set";

    public void Reply(params object?[] content) => Sender.Send(Core.Stanza.IqResult(Stanza, content));

    public void Error(StanzaErrorCondition condition, string? text = null) =>
        Sender.Send(StanzaErrors.CreateReply(Stanza, condition, text, Target));
}
