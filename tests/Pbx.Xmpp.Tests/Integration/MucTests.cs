using System.Xml.Linq;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class MucTests
{
    private static readonly XNamespace MucUser = "http://jabber.org/protocol/muc#user";
    private static readonly XNamespace DiscoItems = "http://jabber.org/protocol/disco#items";
    private static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";
    private static readonly XNamespace Delay = "urn:xmpp:delay";

    private static Task JoinAsync(RawXmppClient client, string room, string nick, string extra = "") =>
        client.SendAsync($"<presence to='{room}@conference.pbx.test/{nick}'><x xmlns='http://jabber.org/protocol/muc'>{extra}</x></presence>");

    private static bool IsSelfPresence(XElement e) =>
        e.Name == Xml.Client + "presence" && e.Element(MucUser + "x")?.Elements(MucUser + "status").Any(s => s.Attr("code") == "110") == true;

    private static IEnumerable<string?> Statuses(XElement presence) =>
        presence.Element(MucUser + "x")!.Elements(MucUser + "status").Select(s => s.Attr("code"));

    [Fact]
    public async Task Ad_hoc_room_join_chat_history_and_leave()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await using var carol = await server.LoginAsync("carol", "c");

        await JoinAsync(alice, "sales", "Alice");
        var created = await alice.ExpectAsync(IsSelfPresence);
        Assert.Contains("201", Statuses(created));
        Assert.Equal("owner", created.Element(MucUser + "x")!.Element(MucUser + "item")!.Attr("affiliation"));
        await alice.ExpectAsync(e => e.Element(Xml.Client + "subject") is not null);
        await alice.SendAsync("<iq type='set' id='cfg' to='sales@conference.pbx.test'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "cfg")).Attr("type"));

        await alice.SendAsync("<message to='sales@conference.pbx.test' type='groupchat' id='g1'><body>early bird</body></message>");
        await alice.ExpectAsync(e => e.Attr("id") == "g1" && e.Attr("from") == "sales@conference.pbx.test/Alice");

        await JoinAsync(bob, "sales", "Bob");
        var aliceSeen = await bob.ExpectAsync(e => e.Name == Xml.Client + "presence" && e.Attr("from") == "sales@conference.pbx.test/Alice");
        Assert.Equal("alice@pbx.test/a", aliceSeen.Element(MucUser + "x")!.Element(MucUser + "item")!.Attr("jid"));
        var bobSelf = await bob.ExpectAsync(IsSelfPresence);
        Assert.DoesNotContain("201", Statuses(bobSelf));
        var history = await bob.ExpectAsync(e => e.Attr("id") == "g1");
        Assert.NotNull(history.Element(Delay + "delay"));
        await bob.ExpectAsync(e => e.Element(Xml.Client + "subject") is not null);
        await alice.ExpectAsync(e => e.Name == Xml.Client + "presence" && e.Attr("from") == "sales@conference.pbx.test/Bob");

        await bob.SendAsync("<message to='sales@conference.pbx.test' type='groupchat' id='g2'><body>hello room</body></message>");
        var atAlice = await alice.ExpectAsync(e => e.Attr("id") == "g2");
        Assert.Equal("sales@conference.pbx.test/Bob", atAlice.Attr("from"));
        Assert.Equal("groupchat", atAlice.Attr("type"));
        await bob.ExpectAsync(e => e.Attr("id") == "g2");

        // Private message inside the room.
        await bob.SendAsync("<message to='sales@conference.pbx.test/Alice' type='chat' id='pm'><body>psst</body></message>");
        Assert.Equal("sales@conference.pbx.test/Bob", (await alice.ExpectAsync(e => e.Attr("id") == "pm")).Attr("from"));

        // Outsiders can neither post nor take a nick in use.
        await carol.SendAsync("<message to='sales@conference.pbx.test' type='groupchat' id='g3'><body>let me in</body></message>");
        Assert.True((await carol.ExpectAsync(e => e.Attr("id") == "g3")).HasStanzaError("not-acceptable"));
        await JoinAsync(carol, "sales", "Bob");
        Assert.True((await carol.ExpectAsync(e => e.Name == Xml.Client + "presence")).HasStanzaError("conflict"));

        await bob.SendAsync("<presence to='sales@conference.pbx.test/Bob' type='unavailable'/>");
        var left = await alice.ExpectAsync(e => e.Attr("from") == "sales@conference.pbx.test/Bob" && e.Attr("type") == "unavailable");
        Assert.Equal("none", left.Element(MucUser + "x")!.Element(MucUser + "item")!.Attr("role"));
        await bob.ExpectAsync(e => e.Attr("type") == "unavailable" && IsSelfPresence(e));

        // The last one out removes an ad-hoc room (here: by disconnecting).
        await alice.DisposeAsync();
        await WaitUntilAsync(() => !ListRooms(server).Contains("sales"));
    }

    [Fact]
    public async Task Persistent_rooms_are_listed_survive_emptying_and_limit_history_on_request()
    {
        await using var server = await TestServer.StartAsync(o => new XmppServerOptions
        {
            Domain = o.Domain, Certificate = o.Certificate,
            PersistentRooms = [new MucRoomDefinition("support", "Support Team", "Tickets")],
        });
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<iq type='get' id='i1' to='pbx.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
        Assert.Contains("conference.pbx.test", (await alice.ExpectAsync(e => e.Attr("id") == "i1")).Descendants(DiscoItems + "item").Select(i => i.Attr("jid")));

        await alice.SendAsync("<iq type='get' id='i2' to='conference.pbx.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
        var rooms = await alice.ExpectAsync(e => e.Attr("id") == "i2");
        var support = rooms.Descendants(DiscoItems + "item").Single(i => i.Attr("jid") == "support@conference.pbx.test");
        Assert.Equal("Support Team", support.Attr("name"));

        await alice.SendAsync("<iq type='get' id='i3' to='support@conference.pbx.test'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        Assert.Contains("muc_persistent", (await alice.ExpectAsync(e => e.Attr("id") == "i3")).Descendants(DiscoInfo + "feature").Select(f => f.Attr("var")));

        await JoinAsync(alice, "support", "Alice");
        var self = await alice.ExpectAsync(IsSelfPresence);
        Assert.Equal("member", self.Element(MucUser + "x")!.Element(MucUser + "item")!.Attr("affiliation"));
        Assert.Equal("Tickets", (await alice.ExpectAsync(e => e.Element(Xml.Client + "subject") is not null)).Element(Xml.Client + "subject")!.Value);
        for (int i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"<message to='support@conference.pbx.test' type='groupchat' id='h{i}'><body>note {i}</body></message>");
            await alice.ExpectAsync(e => e.Attr("id") == $"h{i}");
        }
        await alice.SendAsync("<presence to='support@conference.pbx.test/Alice' type='unavailable'/>");
        await alice.ExpectAsync(e => e.Attr("type") == "unavailable");
        Assert.Contains("support", ListRooms(server));

        await using var bob = await server.LoginAsync("bob", "b");
        await JoinAsync(bob, "support", "Bob", "<history maxstanzas='1'/>");
        var replay = await bob.ExpectAsync(e => e.Name == Xml.Client + "message");
        Assert.Equal("h3", replay.Attr("id"));
        Assert.NotNull(replay.Element(Delay + "delay"));
        Assert.NotNull((await bob.ExpectAsync(e => e.Name == Xml.Client + "message")).Element(Xml.Client + "subject"));
    }

    [Fact]
    public async Task A_replaced_session_leaves_its_rooms()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await server.LoginAsync("bob", "b");
        await using var alice = await server.LoginAsync("alice", "a");
        await JoinAsync(bob, "ops", "Bob");
        await bob.ExpectAsync(IsSelfPresence);
        await JoinAsync(alice, "ops", "Alice");
        await alice.ExpectAsync(IsSelfPresence);
        await bob.ExpectAsync(e => e.Attr("from") == "ops@conference.pbx.test/Alice");

        await using var aliceAgain = await server.LoginAsync("alice", "a");
        await bob.ExpectAsync(e => e.Attr("from") == "ops@conference.pbx.test/Alice" && e.Attr("type") == "unavailable");
        // The new session was not in the room: its groupchat is refused rather than sent as a ghost.
        await aliceAgain.SendAsync("<message to='ops@conference.pbx.test' type='groupchat' id='x'><body>hi</body></message>");
        Assert.True((await aliceAgain.ExpectAsync(e => e.Attr("id") == "x")).HasStanzaError("not-acceptable"));
    }

    private static List<string> ListRooms(TestServer server) =>
        server.Server.MucRoomNames().ToList();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }
}
