using System.Xml.Linq;
using Pbx.Storage.Xmpp;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;

namespace Pbx.Storage.Tests;

public sealed class XmppStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static ChatArchiveRecord Message(int i, string from, string to) =>
        new($"{i:x12}0000", T0.AddSeconds(i), from, to, $"hello {i}", $"<message to='{to}'><body>hello {i}</body></message>");

    [Fact]
    public async Task Archive_serves_both_parties_and_pages_forwards_and_backwards()
    {
        using var db = await TempDatabase.MigratedAsync();
        await using var archive = new SqliteChatArchive(db.Database);
        for (var i = 1; i <= 5; i++) await archive.AppendAsync(Message(i, "alice@pbx", "bob@pbx"), default);
        await archive.AppendAsync(Message(6, "carol@pbx", "alice@pbx"), default);

        var first = await archive.QueryAsync(new ChatArchiveQuery("bob@pbx", null, null, null, null, null, false, 2), default);
        Assert.Equal(["hello 1", "hello 2"], first.Records.Select(r => r.Body));
        Assert.False(first.Complete);
        Assert.Equal(5, first.TotalCount);

        var next = await archive.QueryAsync(new ChatArchiveQuery("bob@pbx", null, null, null, first.Records[^1].Id, null, false, 10), default);
        Assert.Equal(["hello 3", "hello 4", "hello 5"], next.Records.Select(r => r.Body));
        Assert.True(next.Complete);

        var last = await archive.QueryAsync(new ChatArchiveQuery("alice@pbx", null, null, null, null, null, true, 2), default);
        Assert.Equal(["hello 5", "hello 6"], last.Records.Select(r => r.Body));
        Assert.Equal(T0.AddSeconds(6), last.Records[^1].Timestamp);

        var withCarol = await archive.QueryAsync(new ChatArchiveQuery("alice@pbx", "carol@pbx", null, null, null, null, false, 10), default);
        Assert.Equal("<message to='alice@pbx'><body>hello 6</body></message>", Assert.Single(withCarol.Records).StanzaXml);

        var window = await archive.QueryAsync(new ChatArchiveQuery("alice@pbx", null, T0.AddSeconds(2), T0.AddSeconds(3), null, null, false, 10), default);
        Assert.Equal(["hello 2", "hello 3"], window.Records.Select(r => r.Body));
    }

    [Fact]
    public async Task Concurrent_appends_share_commits_and_every_one_is_stored()
    {
        using var db = await TempDatabase.MigratedAsync();
        await using var archive = new SqliteChatArchive(db.Database);

        await Task.WhenAll(Enumerable.Range(1, 300).Select(i => archive.AppendAsync(Message(i, "alice@pbx", "bob@pbx"), default).AsTask()));

        var page = await archive.QueryAsync(new ChatArchiveQuery("bob@pbx", null, null, null, null, null, false, 1000), default);
        Assert.Equal(300, page.TotalCount);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => $"hello {i}"), page.Records.Select(r => r.Body));
    }

    [Fact]
    public async Task A_failed_commit_fails_every_append_that_shared_it()
    {
        using var db = await TempDatabase.MigratedAsync();
        await using var archive = new SqliteChatArchive(db.Database);
        await archive.AppendAsync(Message(1, "alice@pbx", "bob@pbx"), default);

        // Same id again: the primary key refuses it, and the caller hears about it.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => archive.AppendAsync(Message(1, "alice@pbx", "bob@pbx"), default).AsTask());
        await archive.AppendAsync(Message(2, "alice@pbx", "bob@pbx"), default);
        Assert.Equal(2, (await archive.QueryAsync(new ChatArchiveQuery("bob@pbx", null, null, null, null, null, false, 10), default)).TotalCount);
    }

    [Fact]
    public async Task Roster_items_and_pending_requests_round_trip()
    {
        using var db = await TempDatabase.MigratedAsync();
        var roster = new SqliteRosterStore(db.Database);
        await roster.SetItemAsync("alice", new RosterItem("friend@other.example", "Friend", Subscription.To, true, ["Friends", "Work"]), default);
        await roster.SetItemAsync("alice", new RosterItem("friend@other.example", "Best friend", Subscription.Both, false, ["Friends"]), default);

        var item = await roster.GetItemAsync("ALICE", "friend@other.example", default);
        Assert.Equal(("Best friend", Subscription.Both, false), (item!.Name, item.Subscription, item.AskSubscribe));
        Assert.Equal(["Friends"], item.Groups);
        Assert.Single(await roster.GetItemsAsync("alice", default));

        await roster.AddPendingInboundAsync("alice", "stranger@else.example", default);
        await roster.AddPendingInboundAsync("alice", "stranger@else.example", default);
        Assert.Equal(["stranger@else.example"], await roster.GetPendingInboundAsync("alice", default));
        Assert.True(await roster.RemovePendingInboundAsync("alice", "stranger@else.example", default));
        Assert.False(await roster.RemovePendingInboundAsync("alice", "stranger@else.example", default));

        await roster.RemoveItemAsync("alice", "friend@other.example", default);
        Assert.Empty(await roster.GetItemsAsync("alice", default));
    }

    [Fact]
    public async Task Offline_messages_are_taken_once_in_order_and_bounded_per_user()
    {
        using var db = await TempDatabase.MigratedAsync();
        var offline = new SqliteOfflineMessageStore(db.Database, TimeProvider.System, maxMessagesPerUser: 2);
        Assert.True(await offline.TryStoreAsync("bob", XElement.Parse("<message><body>one</body></message>"), default));
        Assert.True(await offline.TryStoreAsync("bob", XElement.Parse("<message><body>two</body></message>"), default));
        Assert.False(await offline.TryStoreAsync("bob", XElement.Parse("<message><body>three</body></message>"), default));

        var taken = await offline.TakeAllAsync("bob", default);
        Assert.Equal(["one", "two"], taken.Select(m => m.Element("body")!.Value));
        Assert.Empty(await offline.TakeAllAsync("bob", default));
    }

    [Fact]
    public async Task VCards_are_replaced_on_publish()
    {
        using var db = await TempDatabase.MigratedAsync();
        var cards = new SqliteVCardStore(db.Database);
        Assert.Null(await cards.GetAsync("alice", default));
        await cards.SetAsync("alice", XElement.Parse("<vCard xmlns='vcard-temp'><FN>Alice</FN></vCard>"), default);
        await cards.SetAsync("alice", XElement.Parse("<vCard xmlns='vcard-temp'><FN>Alice A.</FN></vCard>"), default);
        Assert.Equal("Alice A.", (await cards.GetAsync("alice", default))!.Elements().Single().Value);
    }
}

public sealed class BlockListStoreTests
{
    [Fact]
    public async Task Entries_are_added_once_removed_singly_and_cleared_by_an_empty_removal()
    {
        using var db = await TempDatabase.MigratedAsync();
        var blocks = new SqliteBlockListStore(db.Database);
        await blocks.AddAsync("alice", ["spam@bad.example", "troll@bad.example"], default);
        await blocks.AddAsync("alice", ["spam@bad.example"], default);
        Assert.Equal(["spam@bad.example", "troll@bad.example"], await blocks.GetAsync("alice", default));

        await blocks.RemoveAsync("alice", ["spam@bad.example"], default);
        Assert.Equal(["troll@bad.example"], await blocks.GetAsync("alice", default));
        await blocks.RemoveAsync("alice", [], default);
        Assert.Empty(await blocks.GetAsync("alice", default));
    }
}
