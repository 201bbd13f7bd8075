using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class BlockingTests
{
    private static readonly XNamespace Blocking = "urn:xmpp:blocking";
    private static readonly XNamespace BlockingErrors = "urn:xmpp:blocking:errors";

    [Fact]
    public async Task Blocking_hides_presence_stops_messages_and_unblocking_restores_them()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var alice2 = await server.LoginAsync("alice", "a2");
        await using var bob = await server.LoginAsync("bob", "b");
        await alice2.SendAsync("<iq type='get' id='l0'><blocklist xmlns='urn:xmpp:blocking'/></iq>");
        await alice2.ExpectAsync(e => e.Attr("id") == "l0");
        await alice.SendAsync("<presence/>");
        await bob.SendAsync("<presence/>");
        await bob.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/a" && e.Name == Xml.Client + "presence");

        await alice.SendAsync("<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='bob@pbx.test'/></block></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "b1")).Attr("type"));
        var push = await alice2.ExpectAsync(e => e.Element(Blocking + "block") is not null);
        Assert.Equal("bob@pbx.test", push.Element(Blocking + "block")!.Element(Blocking + "item")!.Attr("jid"));
        await bob.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/a" && e.Attr("type") == "unavailable");

        await bob.SendAsync("<message to='alice@pbx.test' type='chat' id='m1'><body>hello?</body></message>");
        Assert.True((await bob.ExpectAsync(e => e.Attr("id") == "m1")).HasStanzaError("service-unavailable"));
        await alice.SendAsync("<message to='bob@pbx.test' type='chat' id='m2'><body>oops</body></message>");
        var blocked = await alice.ExpectAsync(e => e.Attr("id") == "m2");
        Assert.True(blocked.HasStanzaError("not-acceptable"));
        Assert.NotNull(blocked.Element(Xml.Client + "error")!.Element(BlockingErrors + "blocked"));

        await alice.SendAsync("<presence><show>chat</show></presence>");
        Assert.True(await bob.NothingMatchingWithinAsync(e => e.Attr("from") == "alice@pbx.test/a", TimeSpan.FromMilliseconds(300)));

        await alice.SendAsync("<iq type='get' id='l1'><blocklist xmlns='urn:xmpp:blocking'/></iq>");
        var list = await alice.ExpectAsync(e => e.Attr("id") == "l1");
        Assert.Equal(["bob@pbx.test"], list.Descendants(Blocking + "item").Select(i => i.Attr("jid")!));

        await alice.SendAsync("<iq type='set' id='u1'><unblock xmlns='urn:xmpp:blocking'/></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "u1")).Attr("type"));
        var back = await bob.ExpectAsync(e => e.Attr("from") == "alice@pbx.test/a" && e.Name == Xml.Client + "presence");
        Assert.Equal("chat", back.Element(Xml.Client + "show")!.Value);
        await bob.SendAsync("<message to='alice@pbx.test/a' type='chat' id='m3'><body>again</body></message>");
        await alice.ExpectAsync(e => e.Attr("id") == "m3");
    }

    [Fact]
    public async Task Block_requests_are_validated()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "b1")).HasStanzaError("bad-request"));
        await alice.SendAsync("<iq type='set' id='b2'><block xmlns='urn:xmpp:blocking'><item jid='a b@@x'/></block></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "b2")).HasStanzaError("jid-malformed"));
    }
}
