using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Iq;

/// <summary>Service Discovery (XEP-0030) for the server and for accounts, built from the features the other modules declare.</summary>
internal sealed class DiscoHandler(Func<IEnumerable<IIqHandler>> handlers, IReadOnlyList<(Jid Jid, string Name)> services) : IIqHandler
{
    private static readonly string[] BuiltInServerFeatures =
    [
        Ns.DiscoInfo.NamespaceName,
        Ns.DiscoItems.NamespaceName,
        "msgoffline",
    ];

    public IEnumerable<XName> Payloads => [Ns.DiscoInfo + "query", Ns.DiscoItems + "query"];

    public IEnumerable<string> ServerFeatures => [];

    public ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (!request.IsGet)
        {
            request.Error(StanzaErrorCondition.NotAllowed);
            return ValueTask.CompletedTask;
        }
        var node = (string?)request.Payload.Attribute("node");
        if (node is not null)
        {
            request.Error(StanzaErrorCondition.ItemNotFound);
            return ValueTask.CompletedTask;
        }
        if (request.Payload.Name.Namespace == Ns.DiscoItems)
        {
            var items = request.TargetsServer
                ? services.Select(s => new XElement(Ns.DiscoItems + "item", new XAttribute("jid", s.Jid.ToString()), new XAttribute("name", s.Name)))
                : [];
            request.Reply(new XElement(Ns.DiscoItems + "query", items));
            return ValueTask.CompletedTask;
        }
        request.Reply(request.TargetsServer ? ServerInfo() : AccountInfo());
        return ValueTask.CompletedTask;
    }

    private XElement ServerInfo()
    {
        var features = BuiltInServerFeatures.Concat(handlers().SelectMany(h => h.ServerFeatures));
        return Info("server", "im", features);
    }

    private XElement AccountInfo()
    {
        var features = new[] { Ns.DiscoInfo.NamespaceName }.Concat(handlers().SelectMany(h => h.AccountFeatures));
        return Info("account", "registered", features);
    }

    private static XElement Info(string category, string type, IEnumerable<string> features) =>
        new(Ns.DiscoInfo + "query",
            new XElement(Ns.DiscoInfo + "identity", new XAttribute("category", category), new XAttribute("type", type)),
            features.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(f => new XElement(Ns.DiscoInfo + "feature", new XAttribute("var", f))));
}
