namespace Pbx.Xmpp.Blocking;

/// <summary>Persistence of each user's block list (XEP-0191); entries are JID strings. Implemented by the host.</summary>
public interface IBlockListStore
{
    ValueTask<IReadOnlyList<string>> GetAsync(string user, CancellationToken cancellationToken);

    ValueTask AddAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken);

    /// <summary>Removes the given entries; an empty collection clears the whole list.</summary>
    ValueTask RemoveAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken);
}

public sealed class InMemoryBlockListStore : IBlockListStore
{
    private readonly Dictionary<string, HashSet<string>> _lists = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask<IReadOnlyList<string>> GetAsync(string user, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<string> list = _lists.TryGetValue(user, out var set) ? set.ToArray() : [];
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask AddAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_lists.TryGetValue(user, out var set)) _lists[user] = set = new(StringComparer.Ordinal);
            set.UnionWith(jids);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (jids.Count == 0) _lists.Remove(user);
            else if (_lists.TryGetValue(user, out var set)) set.ExceptWith(jids);
        }
        return ValueTask.CompletedTask;
    }
}
