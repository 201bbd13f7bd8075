using System.Xml.Linq;

namespace Pbx.Xmpp.Messaging;

/// <summary>Messages kept for a user with no available resource (RFC 6121 §8.5.2.1.1). Implemented by the host.</summary>
public interface IOfflineMessageStore
{
    /// <summary>Stores the message; false if the user's offline queue is full.</summary>
    ValueTask<bool> TryStoreAsync(string user, XElement message, CancellationToken cancellationToken);

    /// <summary>Returns and removes all stored messages of the user, oldest first.</summary>
    ValueTask<IReadOnlyList<XElement>> TakeAllAsync(string user, CancellationToken cancellationToken);
}

public sealed class InMemoryOfflineMessageStore(int maxMessagesPerUser = 1000) : IOfflineMessageStore
{
    private readonly Dictionary<string, List<XElement>> _messages = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<bool> TryStoreAsync(string user, XElement message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_messages.TryGetValue(user, out var list)) _messages[user] = list = [];
            if (list.Count >= maxMessagesPerUser) return ValueTask.FromResult(false);
            list.Add(new XElement(message));
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyList<XElement>> TakeAllAsync(string user, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_messages.Remove(user, out var list)) return ValueTask.FromResult<IReadOnlyList<XElement>>([]);
            return ValueTask.FromResult<IReadOnlyList<XElement>>(list);
        }
    }
}
