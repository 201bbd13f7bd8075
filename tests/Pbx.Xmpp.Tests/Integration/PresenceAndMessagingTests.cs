using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class PresenceAndMessagingTests
{
    private static readonly XNamespace Delay = "urn:xmpp:delay";
    private static readonly XNamespace StanzaId = "urn:xmpp:sid:0";

    private static bool IsPresenceFrom(XElement e, string from, string? type = null) =>
        e.Name == Xml.Client + "presence" && e.Attr("from") == from && e.Attr("type") == type;

    [Fact]
    public async Task Shared_roster_contacts_exchange_presence_with_show_status_and_priority()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");

        await alice.SendAsync("<presence><show>dnd</show><status>On a call</status><priority>5</priority></presence>");
        // Own presence is reflected to the sender too (RFC 6121 §4.2.2).
        await alice.ExpectAsync(e => IsPresenceFrom(e, "alice@pbx.test/a"));

        await bob.SendAsync("<presence/>");
        // Bob's initial presence pulls in Alice's current presence.
        var aliceSeenByBob = await bob.ExpectAsync(e => IsPresenceFrom(e, "alice@pbx.test/a"));
        Assert.Equal("dnd", aliceSeenByBob.Element(Xml.Client + "show")!.Value);
        Assert.Equal("On a call", aliceSeenByBob.Element(Xml.Client + "status")!.Value);
        Assert.Equal("bob@pbx.test/b", aliceSeenByBob.Attr("to"));

        var bobSeenByAlice = await alice.ExpectAsync(e => IsPresenceFrom(e, "bob@pbx.test/b"));
        Assert.Null(bobSeenByAlice.Attr("type"));

        await alice.SendAsync("<presence><show>away</show></presence>");
        var update = await bob.ExpectAsync(e => IsPresenceFrom(e, "alice@pbx.test/a"));
        Assert.Equal("away", update.Element(Xml.Client + "show")!.Value);

        await alice.DisposeAsync();
        await bob.ExpectAsync(e => IsPresenceFrom(e, "alice@pbx.test/a", "unavailable"));
    }

    [Fact]
    public async Task Invalid_show_and_presence_type_are_bad_requests()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<presence id='p1'><show>sleeping</show></presence>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "p1")).HasStanzaError("bad-request"));
        await alice.SendAsync("<presence id='p2' type='bogus'/>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "p2")).HasStanzaError("bad-request"));
        Assert.False(server.Server.Sessions.SessionsOf("alice").Single().IsAvailable);
    }

    [Fact]
    public async Task Chat_between_two_users_over_bare_and_full_jids()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await alice.SendAsync("<presence/>");
        await bob.SendAsync("<presence/>");

        await alice.SendAsync("<message to='bob@pbx.test' type='chat' id='m1'><body>Hello Bob</body></message>");
        var received = await bob.ExpectAsync(e => e.Name == Xml.Client + "message" && e.Attr("id") == "m1");
        Assert.Equal("alice@pbx.test/a", received.Attr("from"));
        Assert.Equal("Hello Bob", received.Element(Xml.Client + "body")!.Value);
        Assert.NotNull(received.Element(StanzaId + "stanza-id"));

        await bob.SendAsync("<message to='alice@pbx.test/a' type='chat' id='m2'><body>Hi Alice</body></message>");
        var reply = await alice.ExpectAsync(e => e.Name == Xml.Client + "message" && e.Attr("id") == "m2");
        Assert.Equal("bob@pbx.test/b", reply.Attr("from"));

        var archived = await server.Archive.QueryAsync(new("alice@pbx.test", "bob@pbx.test", null, null, null, null, false, 10), default);
        Assert.Equal(["Hello Bob", "Hi Alice"], archived.Records.Select(r => r.Body));
    }

    [Fact]
    public async Task Bare_jid_message_goes_to_the_highest_priority_resource_only()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bobLow = await server.LoginAsync("bob", "low");
        await using var bobHigh = await server.LoginAsync("bob", "high");
        await bobLow.SendAsync("<presence><priority>1</priority></presence>");
        await bobHigh.SendAsync("<presence><priority>10</priority></presence>");
        await bobLow.ExpectAsync(e => IsPresenceFrom(e, "bob@pbx.test/low"));
        await bobHigh.ExpectAsync(e => IsPresenceFrom(e, "bob@pbx.test/high"));

        await alice.SendAsync("<message to='bob@pbx.test' type='chat' id='p1'><body>to the best</body></message>");
        await bobHigh.ExpectAsync(e => e.Attr("id") == "p1");
        Assert.True(await bobLow.NothingMatchingWithinAsync(e => e.Attr("id") == "p1", TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Message_to_unknown_user_bounces_with_service_unavailable()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<message to='nobody@pbx.test' type='chat' id='x1'><body>anyone?</body></message>");
        var error = await alice.ExpectAsync(e => e.Attr("id") == "x1");
        Assert.True(error.HasStanzaError("service-unavailable"), error.ToString());
        Assert.Equal("nobody@pbx.test", error.Attr("from"));

        await alice.SendAsync("<message to='someone@other.example' type='chat' id='x2'><body>?</body></message>");
        var remote = await alice.ExpectAsync(e => e.Attr("id") == "x2");
        Assert.True(remote.HasStanzaError("remote-server-not-found"), remote.ToString());
    }

    [Fact]
    public async Task Offline_messages_are_delivered_with_delay_at_next_available_presence()
    {
        await using var server = await TestServer.StartAsync();
        await using (var alice = await server.LoginAsync("alice", "a"))
        {
            await alice.SendAsync("<message to='bob@pbx.test' type='chat' id='o1'><body>first</body></message>");
            await alice.SendAsync("<message to='bob@pbx.test' type='chat' id='o2'><body>second</body></message>");
            await alice.SendAsync("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>");
            await alice.ExpectAsync(e => e.Attr("id") == "sync");
        }

        await using var bob = await server.LoginAsync("bob", "b");
        Assert.True(await bob.NothingMatchingWithinAsync(e => e.Name == Xml.Client + "message", TimeSpan.FromMilliseconds(200)));
        await bob.SendAsync("<presence/>");
        var first = await bob.ExpectAsync(e => e.Name == Xml.Client + "message");
        var second = await bob.ExpectAsync(e => e.Name == Xml.Client + "message");
        Assert.Equal("o1", first.Attr("id"));
        Assert.Equal("o2", second.Attr("id"));
        Assert.Equal("alice@pbx.test/a", first.Attr("from"));
        Assert.NotNull(first.Element(Delay + "delay")?.Attribute("stamp"));
        Assert.Empty(await server.Offline.TakeAllAsync("bob", default));
    }

    [Fact]
    public async Task Carbons_copy_sent_and_received_messages_to_other_resources()
    {
        XNamespace carbons = "urn:xmpp:carbons:2";
        await using var server = await TestServer.StartAsync();
        await using var alicePhone = await server.LoginAsync("alice", "phone");
        await using var aliceDesk = await server.LoginAsync("alice", "desk");
        await using var bob = await server.LoginAsync("bob", "b");
        foreach (var client in new[] { alicePhone, aliceDesk, bob }) await client.SendAsync("<presence/>");
        await aliceDesk.SendAsync("<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>");
        Assert.Equal("result", (await aliceDesk.ExpectAsync(e => e.Attr("id") == "c1")).Attr("type"));

        await alicePhone.SendAsync("<message to='bob@pbx.test' type='chat' id='s1'><body>from phone</body></message>");
        var sent = await aliceDesk.ExpectAsync(e => e.Element(carbons + "sent") is not null);
        Assert.Equal("alice@pbx.test", sent.Attr("from"));
        var inner = sent.Descendants(Xml.Client + "message").Single();
        Assert.Equal("s1", inner.Attr("id"));

        await bob.SendAsync("<message to='alice@pbx.test/phone' type='chat' id='r1'><body>to phone</body></message>");
        await alicePhone.ExpectAsync(e => e.Attr("id") == "r1");
        var receivedCopy = await aliceDesk.ExpectAsync(e => e.Element(carbons + "received") is not null);
        Assert.Equal("r1", receivedCopy.Descendants(Xml.Client + "message").Single().Attr("id"));
    }

    [Fact]
    public async Task Iq_to_a_full_jid_is_routed_and_the_reply_comes_back()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await alice.SendAsync("<iq type='get' id='q1' to='bob@pbx.test/b'><query xmlns='jabber:iq:version'/></iq>");
        var request = await bob.ExpectAsync(e => e.Attr("id") == "q1");
        Assert.Equal("alice@pbx.test/a", request.Attr("from"));
        await bob.SendAsync("<iq type='result' id='q1' to='alice@pbx.test/a'><query xmlns='jabber:iq:version'><name>test</name></query></iq>");
        var reply = await alice.ExpectAsync(e => e.Attr("id") == "q1");
        Assert.Equal("result", reply.Attr("type"));
        Assert.Equal("bob@pbx.test/b", reply.Attr("from"));

        await alice.SendAsync("<iq type='get' id='q2' to='bob@pbx.test/gone'><ping xmlns='urn:xmpp:ping'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "q2")).HasStanzaError("service-unavailable"));
    }
}
