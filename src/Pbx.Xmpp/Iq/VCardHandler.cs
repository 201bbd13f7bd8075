using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Iq;

/// <summary>vCard-temp (XEP-0054): anyone may read a local user's card, only the owner may change it.</summary>
internal sealed class VCardHandler(XmppServerContext context) : IIqHandler
{
    public IEnumerable<XName> Payloads => [Ns.VCard + "vCard"];

    public IEnumerable<string> ServerFeatures => [Ns.VCard.NamespaceName];

    public async ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (request.TargetsServer)
        {
            if (request.IsGet) request.Reply(new XElement(Ns.VCard + "vCard"));
            else request.Error(StanzaErrorCondition.NotAllowed);
            return;
        }
        if (request.IsSet)
        {
            if (!request.TargetsOwnAccount)
            {
                request.Error(StanzaErrorCondition.Forbidden);
                return;
            }
            await context.VCards.SetAsync(request.Sender.User, request.Payload, cancellationToken).ConfigureAwait(false);
            request.Reply();
            return;
        }
        var card = await context.VCards.GetAsync(request.Target.Local!, cancellationToken).ConfigureAwait(false);
        request.Reply(card ?? new XElement(Ns.VCard + "vCard"));
    }
}
