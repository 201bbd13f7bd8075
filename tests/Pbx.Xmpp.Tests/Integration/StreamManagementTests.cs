using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class StreamManagementTests
{
    private static readonly XNamespace Sm = "urn:xmpp:sm:3";

    private static async Task<string> EnableAsync(RawXmppClient client)
    {
        await client.SendAsync("<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
        var enabled = await client.ExpectAsync(e => e.Name.Namespace == Sm);
        Assert.Equal(Sm + "enabled", enabled.Name);
        Assert.Equal("true", enabled.Attr("resume"));
        return enabled.Attr("id")!;
    }

    private static async Task<RawXmppClient> AuthenticateOnlyAsync(TestServer server, string user)
    {
        var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        await client.OpenStreamAsync();
        Assert.Equal("success", (await client.AuthenticateScramAsync(user, TestServer.Password)).Name.LocalName);
        var features = await client.OpenStreamAsync();
        Assert.NotNull(features.Element(Sm + "sm"));
        return client;
    }

    [Fact]
    public async Task Acks_count_handled_stanzas()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await EnableAsync(alice);
        for (int i = 0; i < 3; i++) await alice.SendAsync($"<iq type='get' id='p{i}'><ping xmlns='urn:xmpp:ping'/></iq>");
        await alice.SendAsync("<r xmlns='urn:xmpp:sm:3'/>");
        var ack = await alice.ExpectAsync(e => e.Name == Sm + "a");
        Assert.Equal("3", ack.Attr("h"));

        await alice.SendAsync("<a xmlns='urn:xmpp:sm:3' h='99'/>");
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error" && e.Name.Namespace == RawXmppClient.Streams);
        Assert.True(error.IsStreamError("undefined-condition"));
    }

    [Fact]
    public async Task Dropped_connection_resumes_and_gets_unacknowledged_and_missed_stanzas()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await server.LoginAsync("bob", "b");
        var alice = await server.LoginAsync("alice", "phone");
        string id = await EnableAsync(alice);
        await alice.SendAsync("<presence/>");

        await bob.SendAsync("<message to='alice@pbx.test/phone' type='chat' id='m1'><body>one</body></message>");
        await alice.ExpectAsync(e => e.Attr("id") == "m1");
        // The connection dies before Alice acknowledges anything.
        await alice.DisposeAsync();
        await Task.Delay(200);
        await bob.SendAsync("<message to='alice@pbx.test/phone' type='chat' id='m2'><body>two</body></message>");
        await bob.SendAsync("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>");
        await bob.ExpectAsync(e => e.Attr("id") == "sync");
        Assert.Single(server.Server.Sessions.SessionsOf("alice"));

        await using var resumed = await AuthenticateOnlyAsync(server, "alice");
        await resumed.SendAsync($"<resume xmlns='urn:xmpp:sm:3' previd='{id}' h='0'/>");
        var reply = await resumed.ExpectAsync(e => e.Name.Namespace == Sm);
        Assert.Equal(Sm + "resumed", reply.Name);
        Assert.Equal("1", reply.Attr("h"));
        var ids = new List<string?>();
        while (ids.Count < 2)
        {
            var message = await resumed.ExpectAsync(e => e.Name == Xml.Client + "message");
            ids.Add(message.Attr("id"));
        }
        Assert.Equal(["m1", "m2"], ids.Select(i => i!));

        await bob.SendAsync("<message to='alice@pbx.test/phone' type='chat' id='m3'><body>three</body></message>");
        await resumed.ExpectAsync(e => e.Attr("id") == "m3");
    }

    [Fact]
    public async Task Unknown_resumption_id_fails()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await AuthenticateOnlyAsync(server, "alice");
        await client.SendAsync("<resume xmlns='urn:xmpp:sm:3' previd='nope' h='0'/>");
        var failed = await client.ExpectAsync(e => e.Name.Namespace == Sm);
        Assert.Equal(Sm + "failed", failed.Name);
        Assert.Equal("alice@pbx.test/x", await client.BindAsync("x"));
    }

    [Fact]
    public async Task Session_expires_after_the_resumption_timeout_and_unacked_messages_go_offline()
    {
        var clock = new ManualTimeProvider();
        // Bob's own idle timeout must not fire while the virtual clock jumps past Alice's resumption window.
        await using var server = await TestServer.StartAsync(o => new()
        {
            Domain = o.Domain, Certificate = o.Certificate, IdleTimeout = TimeSpan.FromHours(1),
        }, clock);
        await using var bob = await server.LoginAsync("bob", "b");
        await bob.SendAsync("<presence/>");
        var alice = await server.LoginAsync("alice", "phone");
        await EnableAsync(alice);
        await alice.SendAsync("<presence/>");
        await bob.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/phone");
        await bob.SendAsync("<message to='alice@pbx.test' type='chat' id='m1'><body>unread</body></message>");
        await alice.ExpectAsync(e => e.Attr("id") == "m1");
        await alice.DisposeAsync();
        await Task.Delay(200);
        Assert.True(await bob.NothingMatchingWithinAsync(e => e.Attr("type") == "unavailable", TimeSpan.FromMilliseconds(200)));

        clock.Advance(TimeSpan.FromMinutes(6));
        await bob.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/phone" && e.Attr("type") == "unavailable");
        Assert.Empty(server.Server.Sessions.SessionsOf("alice"));
        var stored = await server.Offline.TakeAllAsync("alice", default);
        Assert.Equal("m1", Assert.Single(stored).Attribute("id")!.Value);
    }

    [Fact]
    public async Task Hibernating_session_that_fills_its_queue_ends_and_no_message_is_lost()
    {
        await using var server = await TestServer.StartAsync(o => new()
        {
            Domain = o.Domain, Certificate = o.Certificate, MaxUnackedStanzas = 3,
        });
        await using var bob = await server.LoginAsync("bob", "b");
        var alice = await server.LoginAsync("alice", "phone");
        await EnableAsync(alice);
        await alice.SendAsync("<presence/>");
        await alice.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/phone");
        await alice.DisposeAsync();
        await Task.Delay(200);
        for (int i = 0; i < 6; i++)
        {
            await bob.SendAsync($"<message to='alice@pbx.test' type='chat' id='q{i}'><body>{i}</body></message>");
        }
        await bob.SendAsync("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>");
        await bob.ExpectAsync(e => e.Attr("id") == "sync");
        for (int i = 0; i < 100 && server.Server.Sessions.SessionsOf("alice").Count > 0; i++) await Task.Delay(20);
        Assert.Empty(server.Server.Sessions.SessionsOf("alice"));

        await using var back = await server.LoginAsync("alice", "desk");
        await back.SendAsync("<presence/>");
        var ids = new HashSet<string>();
        for (int i = 0; i < 6; i++) ids.Add((await back.ExpectAsync(e => e.Name == Xml.Client + "message")).Attr("id")!);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"q{i}").ToHashSet(), ids);
    }

    [Fact]
    public async Task Clean_close_with_unacknowledged_messages_hands_them_to_another_online_resource()
    {
        XNamespace delay = "urn:xmpp:delay";
        await using var server = await TestServer.StartAsync();
        await using var bob = await server.LoginAsync("bob", "b");
        await using var desk = await server.LoginAsync("alice", "desk");
        await desk.SendAsync("<presence><priority>-1</priority></presence>");
        await using var phone = await server.LoginAsync("alice", "phone");
        await EnableAsync(phone);
        await phone.SendAsync("<presence><priority>5</priority></presence>");
        await phone.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/phone");
        await bob.SendAsync("<message to='alice@pbx.test/phone' type='chat' id='u1'><body>did you see this?</body></message>");
        await phone.ExpectAsync(e => e.Attr("id") == "u1");
        await desk.SendAsync("<presence><priority>1</priority></presence>");
        await desk.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/desk");

        await phone.SendAsync("</stream:stream>");
        var handedOver = await desk.ExpectAsync(e => e.Attr("id") == "u1");
        Assert.NotNull(handedOver.Element(delay + "delay"));
    }
}
