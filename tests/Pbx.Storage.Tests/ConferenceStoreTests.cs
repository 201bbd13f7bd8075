using Dapper;
using Pbx.Storage.Conferences;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Conferences;

namespace Pbx.Storage.Tests;

public sealed class ConferenceStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private TempDatabase _db = null!;
    private SqliteConferenceStore _store = null!;
    private int _changes;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.MigratedAsync();
        _store = new SqliteConferenceStore(_db.Database, TimeProvider.System);
        _store.Changed += () => Interlocked.Increment(ref _changes);
    }

    public Task DisposeAsync() { _db.Dispose(); return Task.CompletedTask; }

    private static ScheduledConference Board(string name = "Board meeting") => new(0, name,
        new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(1)), ConferenceRepetition.Monthly, TimeSpan.FromMinutes(90), "0042",
        [
            new ConferenceInvitee("carol", null, IsModerator: true, PbxCalls: true),
            new ConferenceInvitee(null, "+4930123456", IsModerator: false, PbxCalls: true),
            new ConferenceInvitee("alice", null, IsModerator: false, PbxCalls: false),
            new ConferenceInvitee(null, "100", IsModerator: true, PbxCalls: false),
        ]);

    [Fact]
    public async Task A_conference_round_trips_with_its_offset_and_participant_order()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        var other = await _store.AddScheduledAsync(Board("Standup") with
        {
            Start = new DateTimeOffset(2026, 7, 1, 8, 0, 0, TimeSpan.FromHours(-4.5)), Repetition = ConferenceRepetition.Daily,
        }, None);

        Assert.NotEqual(0, added.Id);
        Assert.NotEqual(added.Id, other.Id);
        var read = await _store.GetScheduledAsync(added.Id, None);
        AssertSame(added, read);
        Assert.Equal(TimeSpan.FromHours(1), read!.Start.Offset);
        var list = await _store.ListScheduledAsync(None);
        Assert.Equal(2, list.Count);
        AssertSame(added, list[0]);
        AssertSame(other, list[1]);
        Assert.Equal(TimeSpan.FromHours(-4.5), list[1].Start.Offset);
    }

    [Fact]
    public async Task Update_replaces_fields_and_participants_and_delete_removes_them()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        var changed = added with
        {
            Name = "Board (moved)", Start = added.Start.AddDays(1), Repetition = ConferenceRepetition.Weekly, Duration = TimeSpan.FromHours(2),
            Pin = "987654", Participants = [new ConferenceInvitee(null, "+4989111", true, true), new ConferenceInvitee("dave", null, false, true)],
        };

        Assert.True(await _store.UpdateScheduledAsync(changed, None));
        AssertSame(changed, await _store.GetScheduledAsync(added.Id, None));
        Assert.False(await _store.UpdateScheduledAsync(changed with { Id = 999 }, None));

        Assert.True(await _store.DeleteScheduledAsync(added.Id, None));
        Assert.Null(await _store.GetScheduledAsync(added.Id, None));
        Assert.Empty(await _store.ListScheduledAsync(None));
        Assert.False(await _store.DeleteScheduledAsync(added.Id, None));
        Assert.Equal(0, await _db.Database.RunAsync(c => c.ExecuteScalarAsync<int>("SELECT count(*) FROM conference_participants")));
    }

    [Fact]
    public async Task An_invalid_conference_or_room_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AddScheduledAsync(Board() with { Pin = "12" }, None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AddScheduledAsync(Board() with { Id = 5 }, None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SaveRoomAsync(new ConferenceRoomDefinition("*7", "Room", null, 0), None));
        Assert.Empty(await _store.ListScheduledAsync(None));
    }

    [Fact]
    public async Task Rooms_are_created_replaced_and_deleted_by_number()
    {
        await _store.SaveRoomAsync(new ConferenceRoomDefinition("7001", "Sales", "1234", 10), None);
        await _store.SaveRoomAsync(new ConferenceRoomDefinition("7000", "Open", null, 0), None);
        await _store.SaveRoomAsync(new ConferenceRoomDefinition("7001", "Sales team", "", 20), None);

        Assert.Equal([new ConferenceRoomDefinition("7000", "Open", null, 0), new ConferenceRoomDefinition("7001", "Sales team", null, 20)],
            await _store.ListRoomsAsync(None));
        Assert.Equal(new ConferenceRoomDefinition("7000", "Open", null, 0), await _store.GetRoomAsync("7000", None));
        Assert.True(await _store.DeleteRoomAsync("7000", None));
        Assert.False(await _store.DeleteRoomAsync("7000", None));
        Assert.Null(await _store.GetRoomAsync("7000", None));
    }

    [Fact]
    public async Task Everything_survives_reopening_the_database_file()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        await _store.SaveRoomAsync(new ConferenceRoomDefinition("7001", "Sales", "1234", 10), None);
        await _store.SetLastLaunchedAsync(added.Id, added.Start, None);
        await _store.RecordFinishedAsync(new FinishedConference(added.Id, added.Name, added.Start, added.Start.AddHours(1), 3), None);

        var reopened = new SqliteConferenceStore(new SqliteDatabase(_db.FilePath), TimeProvider.System);

        AssertSame(added, await reopened.GetScheduledAsync(added.Id, None));
        Assert.Equal(new ConferenceRoomDefinition("7001", "Sales", "1234", 10), await reopened.GetRoomAsync("7001", None));
        Assert.Equal(added.Start, await reopened.GetLastLaunchedAsync(added.Id, None));
        Assert.Single(await reopened.ListFinishedAsync(10, None));
    }

    [Fact]
    public async Task Last_launched_is_empty_until_set_and_kept_through_an_update()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        Assert.Null(await _store.GetLastLaunchedAsync(added.Id, None));

        await _store.SetLastLaunchedAsync(added.Id, added.Start.AddMonths(1), None);
        await _store.UpdateScheduledAsync(added with { Name = "Renamed" }, None);

        Assert.Equal(added.Start.AddMonths(1), await _store.GetLastLaunchedAsync(added.Id, None));
        Assert.Null(await _store.GetLastLaunchedAsync(999, None));
    }

    [Fact]
    public async Task Finished_conferences_are_listed_newest_first_up_to_the_limit_and_outlive_their_conference()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        var first = new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(1));
        foreach (var month in new[] { 0, 2, 1 })
        {
            var start = first.AddMonths(month);
            await _store.RecordFinishedAsync(new FinishedConference(added.Id, added.Name, start, start.AddMinutes(85), month + 2), None);
        }
        await _store.DeleteScheduledAsync(added.Id, None);

        var finished = await _store.ListFinishedAsync(2, None);

        Assert.Equal([first.AddMonths(2), first.AddMonths(1)], finished.Select(f => f.StartedAt));
        Assert.Equal(new FinishedConference(added.Id, "Board meeting", first.AddMonths(2), first.AddMonths(2).AddMinutes(85), 4), finished[0]);
        Assert.Equal(3, (await _store.ListFinishedAsync(10, None)).Count);
    }

    [Fact]
    public async Task Changed_is_raised_after_each_write_but_not_for_one_that_changed_nothing()
    {
        var added = await _store.AddScheduledAsync(Board(), None);
        Assert.Equal(1, _changes);
        await _store.UpdateScheduledAsync(added with { Name = "Renamed" }, None);
        Assert.Equal(2, _changes);
        await _store.SaveRoomAsync(new ConferenceRoomDefinition("7001", "Sales", null, 0), None);
        Assert.Equal(3, _changes);
        await _store.DeleteRoomAsync("7001", None);
        await _store.DeleteScheduledAsync(added.Id, None);
        Assert.Equal(5, _changes);

        await _store.DeleteRoomAsync("7001", None);
        await _store.DeleteScheduledAsync(added.Id, None);
        await _store.UpdateScheduledAsync(added, None);
        Assert.Equal(5, _changes);

        await _store.ListScheduledAsync(None);
        await _store.ListRoomsAsync(None);
        Assert.Equal(5, _changes);
    }

    private static void AssertSame(ScheduledConference expected, ScheduledConference? actual)
    {
        // Records compare lists by reference, so the parts are compared one by one.
        Assert.NotNull(actual);
        Assert.Equal(expected with { Participants = [] }, actual with { Participants = [] });
        Assert.Equal(expected.Start.Offset, actual.Start.Offset);
        Assert.Equal(expected.Participants, actual.Participants);
    }
}
