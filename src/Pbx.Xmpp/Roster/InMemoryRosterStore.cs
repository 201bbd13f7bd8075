namespace Pbx.Xmpp.Roster;

/// <summary>Roster store kept in memory, for tests and for running without persistence.</summary>
public sealed class InMemoryRosterStore : IRosterStore
{
    private readonly Dictionary<string, Dictionary<string, RosterItem>> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<IReadOnlyList<RosterItem>> GetItemsAsync(string user, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<RosterItem> items = _items.TryGetValue(user, out var map) ? map.Values.ToArray() : [];
            return ValueTask.FromResult(items);
        }
    }

    public ValueTask<RosterItem?> GetItemAsync(string user, string contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            RosterItem? item = _items.TryGetValue(user, out var map) && map.TryGetValue(contact, out var found) ? found : null;
            return ValueTask.FromResult(item);
        }
    }

    public ValueTask SetItemAsync(string user, RosterItem item, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(user, out var map)) _items[user] = map = new(StringComparer.Ordinal);
            map[item.Contact] = item;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveItemAsync(string user, string contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_items.TryGetValue(user, out var map)) map.Remove(contact);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<string>> GetPendingInboundAsync(string user, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<string> pending = _pending.TryGetValue(user, out var set) ? set.ToArray() : [];
            return ValueTask.FromResult(pending);
        }
    }

    public ValueTask AddPendingInboundAsync(string user, string contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(user, out var set)) _pending[user] = set = new(StringComparer.Ordinal);
            set.Add(contact);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemovePendingInboundAsync(string user, string contact, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_pending.TryGetValue(user, out var set) && set.Remove(contact));
        }
    }
}
