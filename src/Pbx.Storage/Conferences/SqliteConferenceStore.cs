using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Conferences;

namespace Pbx.Storage.Conferences;

/// <summary>
/// Dial-in rooms, scheduled conferences and the finished list in the database. Conference starts are stored with
/// the offset they were given, since repetitions follow that local time of day; every other instant is UTC text
/// like the rest of the schema. Durations are whole seconds.
/// </summary>
public sealed class SqliteConferenceStore(SqliteDatabase database, TimeProvider time) : IConferenceStore
{
    // The round-trip format keeps the offset ("+01:00") that UTC text would lose.
    private const string StartFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz";

    /// <summary>Raised after every committed write, including last-launched marks and finished records.</summary>
    public event Action? Changed;

    public async Task<IReadOnlyList<ConferenceRoomDefinition>> ListRoomsAsync(CancellationToken cancellation)
    {
        var rows = await database.RunAsync(connection => connection.QueryAsync<RoomRow>(
            "SELECT number, name, pin, max_participants FROM conference_rooms ORDER BY number"), cancellation);
        return [.. rows.Select(r => r.ToRoom())];
    }

    public async Task<ConferenceRoomDefinition?> GetRoomAsync(string number, CancellationToken cancellation) =>
        (await database.RunAsync(connection => connection.QuerySingleOrDefaultAsync<RoomRow>(
            "SELECT number, name, pin, max_participants FROM conference_rooms WHERE number = @number", new { number }), cancellation))?.ToRoom();

    /// <exception cref="ArgumentException">The room breaks a rule of <see cref="ConferenceValidation"/>.</exception>
    public async Task SaveRoomAsync(ConferenceRoomDefinition room, CancellationToken cancellation)
    {
        ThrowIfInvalid(ConferenceValidation.ValidateRoom(room), nameof(room));
        await database.InTransactionAsync((connection, tx) => connection.ExecuteAsync("""
            INSERT INTO conference_rooms (number, name, pin, max_participants, updated_at)
            VALUES (@Number, @Name, @pin, @MaxParticipants, @at)
            ON CONFLICT (number) DO UPDATE SET name = excluded.name, pin = excluded.pin,
                max_participants = excluded.max_participants, updated_at = excluded.updated_at
            """, new { room.Number, room.Name, pin = string.IsNullOrEmpty(room.Pin) ? null : room.Pin, room.MaxParticipants, at = Now() }, tx), cancellation);
        Changed?.Invoke();
    }

    public Task<bool> DeleteRoomAsync(string number, CancellationToken cancellation) =>
        NotifyingIfTrue(database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM conference_rooms WHERE number = @number", new { number }, tx) > 0, cancellation));

    public Task<IReadOnlyList<ScheduledConference>> ListScheduledAsync(CancellationToken cancellation) =>
        database.InTransactionAsync<IReadOnlyList<ScheduledConference>>(async (connection, tx) =>
        {
            var conferences = await connection.QueryAsync<ConferenceRow>(
                "SELECT id, name, start, repetition, duration_seconds, pin FROM conferences ORDER BY id", transaction: tx);
            var participants = (await connection.QueryAsync<ParticipantRow>("""
                SELECT conference_id, login_id, number, is_moderator, pbx_calls FROM conference_participants
                ORDER BY conference_id, position
                """, transaction: tx)).ToLookup(p => p.ConferenceId);
            return [.. conferences.Select(c => c.ToConference(participants[c.Id]))];
        }, cancellation);

    public Task<ScheduledConference?> GetScheduledAsync(long id, CancellationToken cancellation) =>
        database.InTransactionAsync((connection, tx) => ReadConferenceAsync(connection, tx, id), cancellation);

    /// <exception cref="ArgumentException">The conference is stored already (its Id is not 0) or breaks a rule of <see cref="ConferenceValidation"/>.</exception>
    public async Task<ScheduledConference> AddScheduledAsync(ScheduledConference conference, CancellationToken cancellation)
    {
        if (conference.Id != 0) throw new ArgumentException($"a new conference has Id 0, not {conference.Id}", nameof(conference));
        ThrowIfInvalid(ConferenceValidation.Validate(conference), nameof(conference));
        var stored = await database.InTransactionAsync(async (connection, tx) =>
        {
            var id = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO conferences (name, start, repetition, duration_seconds, pin, updated_at)
                VALUES (@Name, @Start, @Repetition, @DurationSeconds, @Pin, @UpdatedAt) RETURNING id
                """, Columns(conference), tx);
            await WriteParticipantsAsync(connection, tx, id, conference.Participants);
            return conference with { Id = id };
        }, cancellation);
        Changed?.Invoke();
        return stored;
    }

    /// <exception cref="ArgumentException">The conference breaks a rule of <see cref="ConferenceValidation"/>.</exception>
    public Task<bool> UpdateScheduledAsync(ScheduledConference conference, CancellationToken cancellation)
    {
        ThrowIfInvalid(ConferenceValidation.Validate(conference), nameof(conference));
        // The last-launched mark stays: an occurrence already launched is not launched again because its time was edited.
        return NotifyingIfTrue(database.InTransactionAsync(async (connection, tx) =>
        {
            var updated = await connection.ExecuteAsync("""
                UPDATE conferences SET name = @Name, start = @Start, repetition = @Repetition,
                    duration_seconds = @DurationSeconds, pin = @Pin, updated_at = @UpdatedAt
                WHERE id = @Id
                """, Columns(conference), tx);
            if (updated == 0) return false;
            await connection.ExecuteAsync("DELETE FROM conference_participants WHERE conference_id = @Id", new { conference.Id }, tx);
            await WriteParticipantsAsync(connection, tx, conference.Id, conference.Participants);
            return true;
        }, cancellation));
    }

    public Task<bool> DeleteScheduledAsync(long id, CancellationToken cancellation) =>
        // Participants go with it (ON DELETE CASCADE); the finished list keeps its rows.
        NotifyingIfTrue(database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM conferences WHERE id = @id", new { id }, tx) > 0, cancellation));

    public async Task<DateTimeOffset?> GetLastLaunchedAsync(long id, CancellationToken cancellation) =>
        await database.RunAsync(connection => connection.ExecuteScalarAsync<string?>(
            "SELECT last_launched FROM conferences WHERE id = @id", new { id }), cancellation) is { } text ? DapperSetup.Parse(text) : null;

    public async Task SetLastLaunchedAsync(long id, DateTimeOffset occurrenceStart, CancellationToken cancellation)
    {
        await database.InTransactionAsync((connection, tx) => connection.ExecuteAsync(
            "UPDATE conferences SET last_launched = @at WHERE id = @id", new { id, at = DapperSetup.Format(occurrenceStart) }, tx), cancellation);
        Changed?.Invoke();
    }

    public async Task RecordFinishedAsync(FinishedConference finished, CancellationToken cancellation)
    {
        await database.InTransactionAsync((connection, tx) => connection.ExecuteAsync("""
            INSERT INTO conference_history (conference_id, name, started_at, ended_at, participant_count)
            VALUES (@ConferenceId, @Name, @startedAt, @endedAt, @ParticipantCount)
            """, new
        {
            finished.ConferenceId, finished.Name, finished.ParticipantCount,
            startedAt = DapperSetup.Format(finished.StartedAt), endedAt = DapperSetup.Format(finished.EndedAt),
        }, tx), cancellation);
        Changed?.Invoke();
    }

    public async Task<IReadOnlyList<FinishedConference>> ListFinishedAsync(int limit, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var rows = await database.RunAsync(connection => connection.QueryAsync<(long ConferenceId, string Name, string StartedAt, string EndedAt, int ParticipantCount)>("""
            SELECT conference_id, name, started_at, ended_at, participant_count FROM conference_history
            ORDER BY started_at DESC, id DESC LIMIT @limit
            """, new { limit }), cancellation);
        return [.. rows.Select(r => new FinishedConference(r.ConferenceId, r.Name, DapperSetup.Parse(r.StartedAt), DapperSetup.Parse(r.EndedAt), r.ParticipantCount))];
    }

    private async Task<bool> NotifyingIfTrue(Task<bool> write)
    {
        var changed = await write;
        if (changed) Changed?.Invoke();
        return changed;
    }

    private string Now() => DapperSetup.Format(time.GetUtcNow());

    private object Columns(ScheduledConference c) => new
    {
        c.Id, c.Name, c.Pin,
        Start = c.Start.ToString(StartFormat, CultureInfo.InvariantCulture),
        Repetition = RepetitionText(c.Repetition),
        DurationSeconds = (long)Math.Round(c.Duration.TotalSeconds),
        UpdatedAt = Now(),
    };

    private static async Task WriteParticipantsAsync(SqliteConnection connection, IDbTransaction tx, long conferenceId, IReadOnlyList<ConferenceInvitee> participants)
    {
        for (var position = 0; position < participants.Count; position++)
        {
            var p = participants[position];
            await connection.ExecuteAsync("""
                INSERT INTO conference_participants (conference_id, position, login_id, number, is_moderator, pbx_calls)
                VALUES (@conferenceId, @position, @LoginId, @Number, @IsModerator, @PbxCalls)
                """, new { conferenceId, position, p.LoginId, p.Number, p.IsModerator, p.PbxCalls }, tx);
        }
    }

    private static async Task<ScheduledConference?> ReadConferenceAsync(SqliteConnection connection, IDbTransaction tx, long id)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ConferenceRow>(
            "SELECT id, name, start, repetition, duration_seconds, pin FROM conferences WHERE id = @id", new { id }, tx);
        if (row is null) return null;
        var participants = await connection.QueryAsync<ParticipantRow>("""
            SELECT conference_id, login_id, number, is_moderator, pbx_calls FROM conference_participants
            WHERE conference_id = @id ORDER BY position
            """, new { id }, tx);
        return row.ToConference(participants);
    }

    private static void ThrowIfInvalid(IReadOnlyList<Telephony.Accounts.FieldError> errors, string parameter)
    {
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), parameter);
    }

    private static string RepetitionText(ConferenceRepetition repetition) => repetition.ToString().ToLowerInvariant();

    private sealed class RoomRow
    {
        public string Number { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Pin { get; init; }
        public int MaxParticipants { get; init; }

        public ConferenceRoomDefinition ToRoom() => new(Number, Name, Pin, MaxParticipants);
    }

    private sealed class ConferenceRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Start { get; init; } = "";
        public string Repetition { get; init; } = "";
        public long DurationSeconds { get; init; }
        public string Pin { get; init; } = "";

        public ScheduledConference ToConference(IEnumerable<ParticipantRow> participants) => new(
            Id, Name, DateTimeOffset.ParseExact(Start, StartFormat, CultureInfo.InvariantCulture, DateTimeStyles.None),
            Enum.Parse<ConferenceRepetition>(Repetition, ignoreCase: true), TimeSpan.FromSeconds(DurationSeconds), Pin,
            [.. participants.Select(p => p.ToInvitee())]);
    }

    private sealed class ParticipantRow
    {
        public long ConferenceId { get; init; }
        public string? LoginId { get; init; }
        public string? Number { get; init; }
        public bool IsModerator { get; init; }
        public bool PbxCalls { get; init; }

        public ConferenceInvitee ToInvitee() => new(LoginId, Number, IsModerator, PbxCalls);
    }
}
