using Pbx.Storage.Journal;
using Pbx.Telephony.Journal;

namespace Pbx.Storage.Tests;

public sealed class JournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(1));

    private static CallJournalEntry Call(string user, CallDirection direction, CallResult result, int minutes) => new(
        0, user, $"call-{minutes}", direction, "100", "+4930999", "Remote", T0.AddMinutes(minutes),
        result == CallResult.Answered ? T0.AddMinutes(minutes).AddSeconds(3) : null, T0.AddMinutes(minutes + 1), result, result == CallResult.Busy ? "486" : null);

    [Fact]
    public async Task Call_rows_round_trip_and_filter_by_user_direction_result_and_time()
    {
        using var db = await TempDatabase.MigratedAsync();
        var journal = new SqliteCallJournal(db.Database);
        await journal.AppendAsync([
            Call("alice", CallDirection.Incoming, CallResult.Answered, 0),
            Call("alice", CallDirection.Outgoing, CallResult.Busy, 10),
            Call("alice", CallDirection.Incoming, CallResult.Missed, 20),
            Call("bob", CallDirection.Incoming, CallResult.Answered, 30),
        ]);

        var all = await journal.QueryAsync(new CallJournalQuery("alice"));
        Assert.Equal(["call-20", "call-10", "call-0"], all.Select(e => e.CallId));
        var answered = Assert.Single(await journal.QueryAsync(new CallJournalQuery("alice", Result: CallResult.Answered)));
        Assert.Equal(T0.AddSeconds(3), answered.AnsweredAt);
        Assert.Equal(T0, answered.StartedAt);
        Assert.Equal("486", Assert.Single(await journal.QueryAsync(new CallJournalQuery(Direction: CallDirection.Outgoing))).Cause);
        var window = await journal.QueryAsync(new CallJournalQuery(From: T0.AddMinutes(5), To: T0.AddMinutes(25)));
        Assert.Equal(["call-20", "call-10"], window.Select(e => e.CallId));
    }
}
