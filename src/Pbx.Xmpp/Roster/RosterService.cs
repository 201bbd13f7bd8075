using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Roster;

/// <summary>
/// A user's effective roster: the PBX shared roster (always subscription "both") merged with the
/// personal items from the store. A personal item may rename or regroup a shared contact but
/// cannot weaken its subscription.
/// </summary>
internal sealed class RosterService(XmppServerContext context)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedSharedRoster> _sharedCache = new(StringComparer.Ordinal);

    /// <summary>Held while personal roster items are read and rewritten.</summary>
    public RosterLocks Locks { get; } = new();

    public async ValueTask<IReadOnlyList<EffectiveRosterItem>> GetRosterAsync(string user, CancellationToken cancellationToken)
    {
        var personal = await context.RosterStore.GetItemsAsync(user, cancellationToken).ConfigureAwait(false);
        var shared = await GetSharedAsync(user, cancellationToken).ConfigureAwait(false);
        var merged = new Dictionary<string, EffectiveRosterItem>(StringComparer.Ordinal);
        foreach (var (contact, entry) in shared)
        {
            merged[contact] = new EffectiveRosterItem(contact, entry.DisplayName, Subscription.Both, false, entry.Groups, IsShared: true);
        }
        foreach (var item in personal)
        {
            merged[item.Contact] = merged.TryGetValue(item.Contact, out var sharedItem)
                ? sharedItem with { Name = item.Name ?? sharedItem.Name, Groups = item.Groups.Count > 0 ? item.Groups : sharedItem.Groups }
                : new EffectiveRosterItem(item.Contact, item.Name, item.Subscription, item.AskSubscribe, item.Groups, IsShared: false);
        }
        return merged.Values.ToArray();
    }

    public async ValueTask<EffectiveRosterItem?> GetItemAsync(string user, string contact, CancellationToken cancellationToken)
    {
        var roster = await GetRosterAsync(user, cancellationToken).ConfigureAwait(false);
        return roster.FirstOrDefault(i => i.Contact == contact);
    }

    /// <summary>Local users who receive this user's presence (subscription from/both).</summary>
    public async ValueTask<IReadOnlyList<Jid>> GetPresenceSubscribersAsync(string user, CancellationToken cancellationToken)
    {
        var roster = await GetRosterAsync(user, cancellationToken).ConfigureAwait(false);
        return LocalContacts(roster.Where(i => i.HasFrom));
    }

    /// <summary>Local users whose presence this user receives (subscription to/both).</summary>
    public async ValueTask<IReadOnlyList<Jid>> GetPresenceSourcesAsync(string user, CancellationToken cancellationToken)
    {
        var roster = await GetRosterAsync(user, cancellationToken).ConfigureAwait(false);
        return LocalContacts(roster.Where(i => i.HasTo));
    }

    /// <summary>Sends a roster push (RFC 6121 §2.1.6) to every resource of the user that asked for its roster.</summary>
    public void Push(string user, XElement item)
    {
        foreach (var session in context.Sessions.SessionsOf(user))
        {
            if (!session.IsRosterInterested) continue;
            var push = new XElement(Stanza.Iq,
                new XAttribute("type", "set"),
                new XAttribute("id", "push-" + Stanza.NewId()),
                new XAttribute("to", session.FullJid.ToString()),
                new XElement(Ns.Roster + "query", new XElement(item)));
            session.Send(push);
        }
    }

    public async ValueTask PushContactAsync(string user, string contact, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(user, contact, cancellationToken).ConfigureAwait(false);
        Push(user, item is null ? RemovedItem(contact) : item.ToXml());
    }

    public static XElement RemovedItem(string contact) =>
        new(Ns.Roster + "item", new XAttribute("jid", contact), new XAttribute("subscription", "remove"));

    /// <summary>
    /// The directory's shared roster, cached briefly per user: every presence broadcast needs it,
    /// and a login storm would otherwise ask the host for the whole user list many times over.
    /// </summary>
    private async ValueTask<Dictionary<string, SharedRosterEntryView>> GetSharedAsync(string user, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        if (_sharedCache.TryGetValue(user, out var cached) && cached.ExpiresAt > now) return cached.Entries;
        var entries = await context.Directory.GetSharedRosterAsync(user, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, SharedRosterEntryView>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!Jid.TryCreate(entry.LoginId, context.Domain.Domain, null, out var jid) || jid.Local == user) continue;
            result[jid.ToString()] = new SharedRosterEntryView(entry.DisplayName, entry.Groups);
        }
        if (context.Options.SharedRosterCacheDuration > TimeSpan.Zero)
        {
            _sharedCache[user] = new CachedSharedRoster(result, now + context.Options.SharedRosterCacheDuration);
        }
        return result;
    }

    private List<Jid> LocalContacts(IEnumerable<EffectiveRosterItem> items)
    {
        var result = new List<Jid>();
        foreach (var item in items)
        {
            if (Jid.TryParse(item.Contact, out var jid) && jid.Local is not null && context.IsLocalDomain(jid)) result.Add(jid);
        }
        return result;
    }

    private readonly record struct SharedRosterEntryView(string? DisplayName, IReadOnlyList<string> Groups);

    private sealed record CachedSharedRoster(Dictionary<string, SharedRosterEntryView> Entries, DateTimeOffset ExpiresAt);
}

internal sealed record EffectiveRosterItem(
    string Contact,
    string? Name,
    Subscription Subscription,
    bool AskSubscribe,
    IReadOnlyList<string> Groups,
    bool IsShared)
{
    public bool HasTo => Subscription is Subscription.To or Subscription.Both;
    public bool HasFrom => Subscription is Subscription.From or Subscription.Both;

    public XElement ToXml()
    {
        var item = new XElement(Ns.Roster + "item",
            new XAttribute("jid", Contact),
            new XAttribute("subscription", RosterItem.ToAttribute(Subscription)));
        if (!string.IsNullOrEmpty(Name)) item.SetAttributeValue("name", Name);
        if (AskSubscribe) item.SetAttributeValue("ask", "subscribe");
        foreach (var group in Groups) item.Add(new XElement(Ns.Roster + "group", group));
        return item;
    }
}
