using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Journal;

namespace Pbx.Storage.Journal;

public sealed class SqliteChatJournal(SqliteDatabase database) : IChatJournal
{
    public Task<long> AppendAsync(ChatJournalEntry e, CancellationToken ct = default) =>
        database.InTransactionAsync((connection, tx) => connection.ExecuteScalarAsync<long>("""
            INSERT INTO chat_journal (archive_owner, peer_jid, direction, is_group_chat, stanza_id, body, at)
            VALUES (@ArchiveOwner, @PeerJid, @direction, @IsGroupChat, @StanzaId, @Body, @At) RETURNING id
            """, new { e.ArchiveOwner, e.PeerJid, direction = e.Direction.ToString(), e.IsGroupChat, e.StanzaId, e.Body, At = DapperSetup.Format(e.At) }, tx), ct);

    public Task<IReadOnlyList<ChatJournalEntry>> QueryAsync(ChatJournalQuery q, CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyList<ChatJournalEntry>>(async connection =>
            (await connection.QueryAsync<Row>("""
                SELECT * FROM chat_journal
                WHERE archive_owner = @ArchiveOwner
                  AND (@PeerJid IS NULL OR peer_jid = @PeerJid)
                  AND (@From IS NULL OR at >= @From)
                  AND (@To IS NULL OR at < @To)
                  AND (@AfterId IS NULL OR id > @AfterId)
                ORDER BY id LIMIT @Limit
                """, new
            {
                q.ArchiveOwner, q.PeerJid, q.AfterId,
                From = DapperSetup.Format(q.From),
                To = DapperSetup.Format(q.To),
                Limit = Math.Clamp(q.Limit, 1, 10_000),
            })).Select(r => r.ToEntry()).ToList(), ct);

    private sealed class Row
    {
        public long Id { get; init; }
        public string ArchiveOwner { get; init; } = "";
        public string PeerJid { get; init; } = "";
        public string Direction { get; init; } = "";
        public long IsGroupChat { get; init; }
        public string StanzaId { get; init; } = "";
        public string Body { get; init; } = "";
        public string At { get; init; } = "";

        public ChatJournalEntry ToEntry() => new(
            Id, ArchiveOwner, PeerJid, Enum.Parse<ChatDirection>(Direction), IsGroupChat != 0, StanzaId, Body, DapperSetup.Parse(At));
    }
}
