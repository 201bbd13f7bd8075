namespace Pbx.Xmpp.Messaging;

/// <summary>
/// One archived 1:1 message. Stored once per message; it belongs to both the sender's and the
/// recipient's archive. <see cref="Id"/> is server-assigned, unique and increases with time, so
/// it doubles as the MAM/RSM paging key.
/// </summary>
public sealed record ChatArchiveRecord(
    string Id,
    DateTimeOffset Timestamp,
    string FromBareJid,
    string ToBareJid,
    string? Body,
    string StanzaXml);

/// <summary>A page request over one user's archive; filters are optional (XEP-0313 §4.1, XEP-0059).</summary>
public sealed record ChatArchiveQuery(
    string OwnerBareJid,
    string? WithBareJid,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? AfterId,
    string? BeforeId,
    bool FromEnd,
    int Max);

public sealed record ChatArchivePage(IReadOnlyList<ChatArchiveRecord> Records, bool Complete, int TotalCount);

/// <summary>The host's chat journal (e.g. SQLite); written for every routed chat message and queried by MAM.</summary>
public interface IChatArchive
{
    ValueTask AppendAsync(ChatArchiveRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Records where the owner is sender or recipient, matching the filters, in chronological order.
    /// With <see cref="ChatArchiveQuery.AfterId"/>, the page starts after that record; with
    /// <see cref="ChatArchiveQuery.BeforeId"/> or <see cref="ChatArchiveQuery.FromEnd"/>, it is the
    /// last <see cref="ChatArchiveQuery.Max"/> records before that point. <see cref="ChatArchivePage.Complete"/>
    /// is true when the page reaches the end of the result set in the paging direction.
    /// </summary>
    ValueTask<ChatArchivePage> QueryAsync(ChatArchiveQuery query, CancellationToken cancellationToken);
}
