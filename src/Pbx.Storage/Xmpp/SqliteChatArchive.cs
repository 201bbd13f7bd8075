using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Xmpp.Messaging;

namespace Pbx.Storage.Xmpp;

/// <summary>
/// The chat journal. A message is stored once and belongs to the archives of both its sender and its recipient;
/// archive ids are fixed-width and rise with time, so they order and page as text.
/// </summary>
public sealed class SqliteChatArchive(SqliteDatabase database) : IChatArchive, IAsyncDisposable
{
    private readonly GroupCommitWriter<ChatArchiveRecord> _writer = new(database, (connection, tx, records) => connection.ExecuteAsync(
        "INSERT INTO chat_journal (id, at, from_jid, to_jid, body, stanza_xml) VALUES (@Id, @At, @FromBareJid, @ToBareJid, @Body, @StanzaXml)",
        records.Select(r => new { r.Id, At = DapperSetup.Format(r.Timestamp), r.FromBareJid, r.ToBareJid, r.Body, r.StanzaXml }), tx));

    private const string Filter = """
        (from_jid = @Owner OR to_jid = @Owner)
          AND (@With IS NULL OR from_jid = @With OR to_jid = @With)
          AND (@Start IS NULL OR at >= @Start)
          AND (@End IS NULL OR at <= @End)
        """;

    /// <summary>Durable when the task completes; concurrent appends share one commit (see <see cref="GroupCommitWriter{T}"/>).</summary>
    public ValueTask AppendAsync(ChatArchiveRecord record, CancellationToken cancellationToken) =>
        new(_writer.WriteAsync(record, cancellationToken));

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    public async ValueTask<ChatArchivePage> QueryAsync(ChatArchiveQuery query, CancellationToken cancellationToken)
    {
        var max = Math.Clamp(query.Max, 0, 10_000);
        var parameters = new
        {
            Owner = query.OwnerBareJid,
            With = query.WithBareJid,
            Start = DapperSetup.Format(query.Start),
            End = DapperSetup.Format(query.End),
            query.AfterId,
            query.BeforeId,
            Take = max + 1,
        };
        var backwards = query.BeforeId is not null || (query.FromEnd && query.AfterId is null);
        var sql = backwards
            ? $"SELECT * FROM chat_journal WHERE {Filter} AND (@BeforeId IS NULL OR id < @BeforeId) ORDER BY id DESC LIMIT @Take"
            : $"SELECT * FROM chat_journal WHERE {Filter} AND (@AfterId IS NULL OR id > @AfterId) ORDER BY id LIMIT @Take";
        return await database.RunAsync(async connection =>
        {
            var rows = (await connection.QueryAsync<Row>(sql, parameters)).ToList();
            var complete = rows.Count <= max;
            var page = rows.Take(max).Select(r => r.ToRecord());
            var total = await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM chat_journal WHERE {Filter}", parameters);
            return new ChatArchivePage((backwards ? page.Reverse() : page).ToList(), complete, total);
        }, cancellationToken);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string At { get; init; } = "";
        public string FromJid { get; init; } = "";
        public string ToJid { get; init; } = "";
        public string? Body { get; init; }
        public string StanzaXml { get; init; } = "";

        public ChatArchiveRecord ToRecord() => new(Id, DapperSetup.Parse(At), FromJid, ToJid, Body, StanzaXml);
    }
}
