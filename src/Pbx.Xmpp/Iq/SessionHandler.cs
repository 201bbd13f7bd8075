using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Iq;

/// <summary>
/// The RFC 3921 session request, kept for old clients: it is advertised as optional and simply
/// acknowledged, since the session already exists once the resource is bound.
/// </summary>
internal sealed class SessionHandler : IIqHandler
{
    public IEnumerable<XName> Payloads => [Ns.Session + "session"];

    public IEnumerable<string> ServerFeatures => [];

    public ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (request.IsSet) request.Reply();
        else request.Error(StanzaErrorCondition.BadRequest);
        return ValueTask.CompletedTask;
    }
}
