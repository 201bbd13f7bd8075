using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Journal;

namespace Pbx.Storage.Journal;

public sealed class SqliteCallJournal(SqliteDatabase database) : ICallJournal
{
    public Task AppendAsync(IReadOnlyList<CallJournalEntry> entries, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            foreach (var e in entries)
            {
                await connection.ExecuteAsync("""
                    INSERT INTO call_journal (user_login_id, call_id, direction, local_number, remote_number, remote_name,
                        started_at, answered_at, ended_at, result, cause)
                    VALUES (@UserLoginId, @CallId, @direction, @LocalNumber, @RemoteNumber, @RemoteName,
                        @StartedAt, @AnsweredAt, @EndedAt, @result, @Cause)
                    """, new
                {
                    e.UserLoginId, e.CallId, direction = e.Direction.ToString(), e.LocalNumber, e.RemoteNumber, e.RemoteName,
                    StartedAt = DapperSetup.Format(e.StartedAt), AnsweredAt = DapperSetup.Format(e.AnsweredAt), EndedAt = DapperSetup.Format(e.EndedAt), result = e.Result.ToString(), e.Cause,
                }, tx);
            }
            return entries.Count;
        }, ct);

    public Task<IReadOnlyList<CallJournalEntry>> QueryAsync(CallJournalQuery q, CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyList<CallJournalEntry>>(async connection =>
            (await connection.QueryAsync<Row>("""
                SELECT * FROM call_journal
                WHERE (@UserLoginId IS NULL OR user_login_id = @UserLoginId)
                  AND (@direction IS NULL OR direction = @direction)
                  AND (@result IS NULL OR result = @result)
                  AND (@From IS NULL OR started_at >= @From)
                  AND (@To IS NULL OR started_at < @To)
                ORDER BY started_at DESC, id DESC LIMIT @Limit
                """, new
            {
                q.UserLoginId, direction = q.Direction?.ToString(), result = q.Result?.ToString(),
                From = DapperSetup.Format(q.From),
                To = DapperSetup.Format(q.To),
                Limit = Math.Clamp(q.Limit, 1, 10_000),
            })).Select(r => r.ToEntry()).ToList(), ct);

    private sealed class Row
    {
        public long Id { get; init; }
        public string UserLoginId { get; init; } = "";
        public string CallId { get; init; } = "";
        public string Direction { get; init; } = "";
        public string LocalNumber { get; init; } = "";
        public string RemoteNumber { get; init; } = "";
        public string? RemoteName { get; init; }
        public string StartedAt { get; init; } = "";
        public string? AnsweredAt { get; init; }
        public string EndedAt { get; init; } = "";
        public string Result { get; init; } = "";
        public string? Cause { get; init; }

        public CallJournalEntry ToEntry() => new(
            Id, UserLoginId, CallId, Enum.Parse<CallDirection>(Direction), LocalNumber, RemoteNumber, RemoteName,
            DapperSetup.Parse(StartedAt), AnsweredAt is null ? null : DapperSetup.Parse(AnsweredAt), DapperSetup.Parse(EndedAt),
            Enum.Parse<CallResult>(Result), Cause);
    }
}
