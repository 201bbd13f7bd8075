using System.Collections.Concurrent;
using System.Collections.Frozen;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Blocking;

/// <summary>
/// Answers "does this user block that JID" on every routed stanza, so lists are cached in memory
/// after the first load; all changes go through <see cref="AddAsync"/>/<see cref="RemoveAsync"/>.
/// </summary>
internal sealed class BlockingService(XmppServerContext context, IBlockListStore store)
{
    private readonly ConcurrentDictionary<string, FrozenSet<string>> _cache = new(StringComparer.Ordinal);

    public async ValueTask<FrozenSet<string>> GetListAsync(string user, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(user, out var cached)) return cached;
        var list = (await store.GetAsync(user, cancellationToken).ConfigureAwait(false)).ToFrozenSet(StringComparer.Ordinal);
        return _cache.GetOrAdd(user, list);
    }

    /// <summary>True if <paramref name="user"/> (a local user) blocks <paramref name="other"/> (XEP-0016 JID matching).</summary>
    public async ValueTask<bool> BlocksAsync(string user, Jid other, CancellationToken cancellationToken)
    {
        var list = await GetListAsync(user, cancellationToken).ConfigureAwait(false);
        if (list.Count == 0) return false;
        return list.Contains(other.ToString())
               || list.Contains(other.Bare.ToString())
               || list.Contains(other.Domain)
               || (other.Resource is not null && list.Contains(other.Domain + "/" + other.Resource));
    }

    /// <summary>True if either side blocks the other; local users only on the receiving side.</summary>
    public async ValueTask<bool> EitherBlocksAsync(string user, Jid other, CancellationToken cancellationToken) =>
        await BlocksAsync(user, other, cancellationToken).ConfigureAwait(false)
        || (other.Local is not null && context.IsLocalDomain(other)
            && await BlocksAsync(other.Local, context.BareJidOf(user), cancellationToken).ConfigureAwait(false));

    public async ValueTask AddAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken)
    {
        await store.AddAsync(user, jids, cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(user, out _);
    }

    public async ValueTask RemoveAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken)
    {
        await store.RemoveAsync(user, jids, cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(user, out _);
    }
}
