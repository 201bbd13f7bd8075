namespace Pbx.Telephony.Journal;

public enum ChatDirection { Received, Sent }

/// <summary>
/// One message in one user's chat archive. A 1:1 message between two PBX users lands in both archives,
/// which is what MAM (XEP-0313) queries per archive expect.
/// </summary>
public sealed record ChatJournalEntry(
    long Id,
    string ArchiveOwner,
    string PeerJid,
    ChatDirection Direction,
    bool IsGroupChat,
    string StanzaId,
    string Body,
    DateTimeOffset At);

public sealed record ChatJournalQuery(
    string ArchiveOwner,
    string? PeerJid = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? AfterId = null,
    int Limit = 100);

public interface IChatJournal
{
    Task<long> AppendAsync(ChatJournalEntry entry, CancellationToken ct = default);
    Task<IReadOnlyList<ChatJournalEntry>> QueryAsync(ChatJournalQuery query, CancellationToken ct = default);
}
