using System.Xml.Linq;

namespace Pbx.Xmpp.Iq;

/// <summary>vCard-temp storage (XEP-0054); the host may pre-fill cards from PBX user data.</summary>
public interface IVCardStore
{
    ValueTask<XElement?> GetAsync(string user, CancellationToken cancellationToken);

    ValueTask SetAsync(string user, XElement vCard, CancellationToken cancellationToken);
}

public sealed class InMemoryVCardStore : IVCardStore
{
    private readonly Dictionary<string, XElement> _cards = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<XElement?> GetAsync(string user, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_cards.TryGetValue(user, out var card) ? new XElement(card) : null);
        }
    }

    public ValueTask SetAsync(string user, XElement vCard, CancellationToken cancellationToken)
    {
        lock (_lock) _cards[user] = new XElement(vCard);
        return ValueTask.CompletedTask;
    }
}
