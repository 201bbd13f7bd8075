namespace Pbx.Xmpp.Messaging;

/// <summary>Chat archive kept in memory (insertion order is chronological order), for tests.</summary>
public sealed class InMemoryChatArchive : IChatArchive
{
    private readonly List<ChatArchiveRecord> _records = [];
    private readonly Lock _lock = new();

    public ValueTask AppendAsync(ChatArchiveRecord record, CancellationToken cancellationToken)
    {
        lock (_lock) _records.Add(record);
        return ValueTask.CompletedTask;
    }

    public ValueTask<ChatArchivePage> QueryAsync(ChatArchiveQuery query, CancellationToken cancellationToken)
    {
        List<ChatArchiveRecord> matching;
        lock (_lock)
        {
            matching = _records.Where(r => Matches(r, query)).ToList();
        }
        int total = matching.Count;
        IEnumerable<ChatArchiveRecord> window = matching;
        if (query.AfterId is not null)
        {
            int index = matching.FindIndex(r => r.Id == query.AfterId);
            window = index < 0 ? [] : matching.Skip(index + 1);
        }
        var candidates = window.ToList();
        if (query.BeforeId is not null)
        {
            int index = candidates.FindIndex(r => r.Id == query.BeforeId);
            candidates = index < 0 ? [] : candidates.Take(index).ToList();
        }
        bool fromEnd = query.BeforeId is not null || query.FromEnd;
        var page = fromEnd
            ? candidates.Skip(Math.Max(0, candidates.Count - query.Max)).ToList()
            : candidates.Take(query.Max).ToList();
        bool complete = page.Count == candidates.Count;
        return ValueTask.FromResult(new ChatArchivePage(page, complete, total));
    }

    private static bool Matches(ChatArchiveRecord record, ChatArchiveQuery query)
    {
        bool owned = record.FromBareJid == query.OwnerBareJid || record.ToBareJid == query.OwnerBareJid;
        if (!owned) return false;
        if (query.WithBareJid is not null && record.FromBareJid != query.WithBareJid && record.ToBareJid != query.WithBareJid) return false;
        if (query.Start is { } start && record.Timestamp < start) return false;
        if (query.End is { } end && record.Timestamp > end) return false;
        return true;
    }
}
