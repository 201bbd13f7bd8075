using System.Collections.Concurrent;
using Pbx.Xmpp.Core;

namespace Pbx.Xmpp.Sessions;

public enum BindResult
{
    Bound,
    ReplacedExisting,
    TooManyResources,
}

/// <summary>All bound sessions, by user. Locks are per user and never held across awaits.</summary>
public sealed class SessionRegistry(int maxResourcesPerUser)
{
    private readonly ConcurrentDictionary<string, List<XmppSession>> _byUser = new(StringComparer.Ordinal);

    public int Count => _byUser.Values.Sum(list => { lock (list) return list.Count; });

    /// <summary>
    /// Adds the session. A session already bound to the same full JID is returned in <paramref name="replaced"/>
    /// so the caller can end it with a conflict error (RFC 6120 §7.7.2.2, "terminate the old session").
    /// </summary>
    public BindResult TryAdd(XmppSession session, out XmppSession? replaced)
    {
        replaced = null;
        while (true)
        {
            var list = _byUser.GetOrAdd(session.User, _ => []);
            lock (list)
            {
                // A concurrent Remove may have dropped this list from the map after it emptied; retry with the live one.
                if (!_byUser.TryGetValue(session.User, out var live) || !ReferenceEquals(live, list)) continue;
                int existing = list.FindIndex(s => s.FullJid == session.FullJid);
                if (existing >= 0)
                {
                    replaced = list[existing];
                    list[existing] = session;
                    return BindResult.ReplacedExisting;
                }
                if (list.Count >= maxResourcesPerUser) return BindResult.TooManyResources;
                list.Add(session);
                return BindResult.Bound;
            }
        }
    }

    public bool Remove(XmppSession session)
    {
        if (!_byUser.TryGetValue(session.User, out var list)) return false;
        lock (list)
        {
            bool removed = list.Remove(session);
            if (list.Count == 0) _byUser.TryRemove(new KeyValuePair<string, List<XmppSession>>(session.User, list));
            return removed;
        }
    }

    public bool IsResourceBound(Jid fullJid) => Find(fullJid) is not null;

    public XmppSession? Find(Jid fullJid)
    {
        if (fullJid.Local is null || fullJid.Resource is null) return null;
        if (!_byUser.TryGetValue(fullJid.Local, out var list)) return null;
        lock (list) return list.Find(s => s.FullJid == fullJid);
    }

    public IReadOnlyList<XmppSession> SessionsOf(string user)
    {
        if (!_byUser.TryGetValue(user, out var list)) return [];
        lock (list) return list.ToArray();
    }

    public IReadOnlyList<XmppSession> AvailableSessionsOf(string user) =>
        SessionsOf(user).Where(s => s.IsAvailable).ToArray();

    public IReadOnlyList<XmppSession> All() => _byUser.Values.SelectMany(list => { lock (list) return list.ToArray(); }).ToArray();
}
