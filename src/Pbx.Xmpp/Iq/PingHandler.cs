using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Iq;

/// <summary>XMPP Ping (XEP-0199) addressed to the server or an account; pings to a full JID are routed to that client.</summary>
internal sealed class PingHandler : IIqHandler
{
    public IEnumerable<XName> Payloads => [Ns.Ping + "ping"];

    public IEnumerable<string> ServerFeatures => [Ns.Ping.NamespaceName];

    public ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (request.IsGet) request.Reply();
        else request.Error(StanzaErrorCondition.BadRequest);
        return ValueTask.CompletedTask;
    }
}
