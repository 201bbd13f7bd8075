using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class RosterTests
{
    private static readonly XNamespace Roster = "jabber:iq:roster";

    private static async Task<XElement> GetRosterAsync(RawXmppClient client, string id = "r1")
    {
        await client.SendAsync($"<iq type='get' id='{id}'><query xmlns='jabber:iq:roster'/></iq>");
        var reply = await client.ExpectAsync(e => e.Attr("id") == id);
        Assert.Equal("result", reply.Attr("type"));
        return reply.Element(Roster + "query")!;
    }

    private static XElement? Item(XElement query, string jid) =>
        query.Elements(Roster + "item").SingleOrDefault(i => i.Attr("jid") == jid);

    private static Func<XElement, bool> PushFor(string jid, string? subscription = null) => e =>
        e.Attr("type") == "set" && e.Element(Roster + "query")?.Element(Roster + "item") is { } item
        && item.Attr("jid") == jid && (subscription is null || item.Attr("subscription") == subscription);

    [Fact]
    public async Task Shared_roster_lists_pbx_users_with_both_subscription()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        var roster = await GetRosterAsync(alice);
        var bob = Item(roster, "bob@pbx.test");
        Assert.NotNull(bob);
        Assert.Equal("both", bob.Attr("subscription"));
        Assert.Equal("Bob Berg", bob.Attr("name"));
        Assert.Equal("PBX", bob.Element(Roster + "group")!.Value);
        Assert.Null(Item(roster, "alice@pbx.test"));
        Assert.Null(Item(roster, "carol@pbx.test"));
    }

    [Fact]
    public async Task Personal_items_can_be_added_renamed_and_removed_with_pushes()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var alice2 = await server.LoginAsync("alice", "b");
        await GetRosterAsync(alice);
        await GetRosterAsync(alice2);

        await alice.SendAsync("<iq type='set' id='s1'><query xmlns='jabber:iq:roster'><item jid='carol@pbx.test' name='Carol'><group>Friends</group></item></query></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "s1")).Attr("type"));
        var push = await alice2.ExpectAsync(PushFor("carol@pbx.test", "none"));
        Assert.Equal("Carol", push.Descendants(Roster + "item").Single().Attr("name"));
        await alice.SendAsync(new XElement(Xml.Client + "iq", new XAttribute("type", "result"), new XAttribute("id", push.Attr("id")!)));

        var roster = await GetRosterAsync(alice, "r2");
        Assert.Equal("Friends", Item(roster, "carol@pbx.test")!.Element(Roster + "group")!.Value);

        await alice.SendAsync("<iq type='set' id='s2'><query xmlns='jabber:iq:roster'><item jid='carol@pbx.test' subscription='remove'/></query></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "s2")).Attr("type"));
        await alice2.ExpectAsync(PushFor("carol@pbx.test", "remove"));
        Assert.Null(Item(await GetRosterAsync(alice, "r3"), "carol@pbx.test"));
    }

    [Fact]
    public async Task Shared_contacts_cannot_be_removed_and_bad_sets_are_rejected()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<iq type='set' id='s1'><query xmlns='jabber:iq:roster'><item jid='bob@pbx.test' subscription='remove'/></query></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "s1")).HasStanzaError("not-allowed"));

        await alice.SendAsync("<iq type='set' id='s2'><query xmlns='jabber:iq:roster'><item jid='carol@pbx.test'/><item jid='dave@pbx.test'/></query></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "s2")).HasStanzaError("bad-request"));

        await alice.SendAsync("<iq type='set' id='s3'><query xmlns='jabber:iq:roster'><item jid='carol@pbx.test'><group>A</group><group>A</group></item></query></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "s3")).HasStanzaError("bad-request"));

        await alice.SendAsync("<iq type='get' id='s4' to='bob@pbx.test'><query xmlns='jabber:iq:roster'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "s4")).HasStanzaError("forbidden"));
    }

    [Fact]
    public async Task Subscription_request_approval_and_cancellation_follow_rfc6121()
    {
        await using var server = await TestServer.StartAsync();
        await using var carol = await server.LoginAsync("carol", "c");
        await GetRosterAsync(carol);
        await carol.SendAsync("<presence/>");

        // Dave is offline when Carol asks; he sees the request when he comes online.
        await carol.SendAsync("<presence type='subscribe' to='dave@pbx.test'/>");
        var askPush = await carol.ExpectAsync(PushFor("dave@pbx.test", "none"));
        Assert.Equal("subscribe", askPush.Descendants(Roster + "item").Single().Attr("ask"));

        await using var dave = await server.LoginAsync("dave", "d");
        await GetRosterAsync(dave);
        await dave.SendAsync("<presence><status>here</status></presence>");
        var request = await dave.ExpectAsync(e => e.Name == Xml.Client + "presence" && e.Attr("type") == "subscribe");
        Assert.Equal("carol@pbx.test", request.Attr("from"));

        await dave.SendAsync("<presence type='subscribed' to='carol@pbx.test'/>");
        await dave.ExpectAsync(PushFor("carol@pbx.test", "from"));
        await carol.ExpectAsync(PushFor("dave@pbx.test", "to"));
        await carol.ExpectAsync(e => e.Name == Xml.Client + "presence" && e.Attr("type") == "subscribed" && e.Attr("from") == "dave@pbx.test");
        // With the subscription in place Carol receives Dave's current presence.
        var davePresence = await carol.ExpectAsync(e => e.Name == Xml.Client + "presence" && e.Attr("from") == "dave@pbx.test/d" && e.Attr("type") is null);
        Assert.Equal("here", davePresence.Element(Xml.Client + "status")!.Value);

        await dave.SendAsync("<presence><show>away</show></presence>");
        await carol.ExpectAsync(e => e.Attr("from") == "dave@pbx.test/d" && e.Element(Xml.Client + "show")?.Value == "away");

        // Dave revokes: Carol's item drops to none and she sees him go unavailable.
        await dave.SendAsync("<presence type='unsubscribed' to='carol@pbx.test'/>");
        await carol.ExpectAsync(PushFor("dave@pbx.test", "none"));
        await carol.ExpectAsync(e => e.Attr("from") == "dave@pbx.test/d" && e.Attr("type") == "unavailable");
        await dave.SendAsync("<presence><show>xa</show></presence>");
        Assert.True(await carol.NothingMatchingWithinAsync(e => e.Attr("from") == "dave@pbx.test/d", TimeSpan.FromMilliseconds(300)));

        Assert.Equal("none", (await server.Roster.GetItemAsync("carol", "dave@pbx.test", default))!.Subscription.ToString().ToLowerInvariant());
        Assert.Empty(await server.Roster.GetPendingInboundAsync("dave", default));
    }

    [Fact]
    public async Task Subscribing_to_a_shared_contact_is_answered_at_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<presence/>");
        await alice.SendAsync("<presence type='subscribe' to='bob@pbx.test'/>");
        await alice.ExpectAsync(e => e.Attr("type") == "subscribed" && e.Attr("from") == "bob@pbx.test");
    }
}
