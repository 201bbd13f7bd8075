using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Messaging;

/// <summary>Message Carbons (XEP-0280): enabling per resource and the sent/received copies.</summary>
internal sealed class Carbons(XmppServerContext context) : IIqHandler
{
    public IEnumerable<XName> Payloads => [Ns.Carbons + "enable", Ns.Carbons + "disable"];

    public IEnumerable<string> ServerFeatures => [Ns.Carbons.NamespaceName];

    public ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (!request.IsSet || !(request.TargetsOwnAccount || request.TargetsServer))
        {
            request.Error(StanzaErrorCondition.BadRequest);
            return ValueTask.CompletedTask;
        }
        request.Sender.CarbonsEnabled = request.Payload.Name.LocalName == "enable";
        request.Reply();
        return ValueTask.CompletedTask;
    }

    /// <summary>XEP-0280 §6: chat messages, and normal ones with a body, unless marked private or no-copy.</summary>
    public static bool IsEligible(XElement message)
    {
        string type = message.Type() ?? "normal";
        bool eligibleType = type == "chat" || (type == "normal" && message.Element(Ns.Client + "body") is not null);
        return eligibleType
               && message.Element(Ns.Carbons + "private") is null
               && message.Element(Ns.Hints + "no-copy") is null;
    }

    /// <summary>The private marker only instructs this server; it is removed before delivery.</summary>
    public static void StripPrivate(XElement message) => message.Elements(Ns.Carbons + "private").Remove();

    public void SendSentCopies(XmppSession sender, XElement message) =>
        SendCopies(sender.User, message, "sent", exclude: sender);

    public void SendReceivedCopies(string recipient, XElement message, IReadOnlyCollection<XmppSession> deliveredTo) =>
        SendCopies(recipient, message, "received", exclude: null, alreadyDelivered: deliveredTo);

    private void SendCopies(string user, XElement message, string direction, XmppSession? exclude,
        IReadOnlyCollection<XmppSession>? alreadyDelivered = null)
    {
        var bare = context.BareJidOf(user);
        foreach (var session in context.Sessions.AvailableSessionsOf(user))
        {
            if (!session.CarbonsEnabled || session == exclude || (alreadyDelivered?.Contains(session) ?? false)) continue;
            session.Send(new XElement(Stanza.Message,
                new XAttribute("from", bare.ToString()),
                new XAttribute("to", session.FullJid.ToString()),
                new XAttribute("type", message.Type() ?? "normal"),
                new XElement(Ns.Carbons + direction,
                    new XElement(Ns.Forward + "forwarded", new XElement(message)))));
        }
    }
}
