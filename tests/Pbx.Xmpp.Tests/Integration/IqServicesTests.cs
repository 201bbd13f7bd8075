using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class IqServicesTests
{
    private static readonly XNamespace DiscoInfo = "http://jabber.org/protocol/disco#info";
    private static readonly XNamespace Mam = "urn:xmpp:mam:2";
    private static readonly XNamespace Rsm = "http://jabber.org/protocol/rsm";
    private static readonly XNamespace Forward = "urn:xmpp:forward:0";
    private static readonly XNamespace VCard = "vcard-temp";

    [Fact]
    public async Task Disco_info_lists_server_and_account_features()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<iq type='get' id='d1' to='pbx.test'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        var info = await alice.ExpectAsync(e => e.Attr("id") == "d1");
        var features = info.Descendants(DiscoInfo + "feature").Select(f => f.Attr("var")).ToList();
        Assert.Contains("urn:xmpp:ping", features);
        Assert.Contains("urn:xmpp:carbons:2", features);
        Assert.Contains("vcard-temp", features);
        Assert.Equal("server", info.Descendants(DiscoInfo + "identity").Single().Attr("category"));

        await alice.SendAsync("<iq type='get' id='d2'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        var account = await alice.ExpectAsync(e => e.Attr("id") == "d2");
        Assert.Contains("urn:xmpp:mam:2", account.Descendants(DiscoInfo + "feature").Select(f => f.Attr("var")));

        await alice.SendAsync("<iq type='get' id='d3' to='pbx.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "d3")).Attr("type"));
    }

    [Fact]
    public async Task Ping_and_unknown_iq_namespaces()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<iq type='get' id='p1' to='pbx.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        var pong = await alice.ExpectAsync(e => e.Attr("id") == "p1");
        Assert.Equal("result", pong.Attr("type"));
        Assert.Equal("pbx.test", pong.Attr("from"));

        await alice.SendAsync("<iq type='get' id='u1'><query xmlns='urn:example:unknown'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "u1")).HasStanzaError("service-unavailable"));

        await alice.SendAsync("<iq type='set' id='u2'/>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "u2")).HasStanzaError("bad-request"));

        await alice.SendAsync("<iq type='get' id='u3' to='ghost@pbx.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "u3")).HasStanzaError("service-unavailable"));
    }

    [Fact]
    public async Task VCard_is_stored_by_its_owner_and_readable_by_others()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await alice.SendAsync("<iq type='set' id='v1'><vCard xmlns='vcard-temp'><FN>Alice Anders</FN><TEL><NUMBER>1001</NUMBER></TEL></vCard></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "v1")).Attr("type"));

        await bob.SendAsync("<iq type='get' id='v2' to='alice@pbx.test'><vCard xmlns='vcard-temp'/></iq>");
        var card = await bob.ExpectAsync(e => e.Attr("id") == "v2");
        Assert.Equal("Alice Anders", card.Element(VCard + "vCard")!.Element(VCard + "FN")!.Value);

        await bob.SendAsync("<iq type='set' id='v3' to='alice@pbx.test'><vCard xmlns='vcard-temp'><FN>Hacked</FN></vCard></iq>");
        Assert.True((await bob.ExpectAsync(e => e.Attr("id") == "v3")).HasStanzaError("forbidden"));

        await bob.SendAsync("<iq type='get' id='v4'><vCard xmlns='vcard-temp'/></iq>");
        Assert.False((await bob.ExpectAsync(e => e.Attr("id") == "v4")).Element(VCard + "vCard")!.HasElements);
    }

    [Fact]
    public async Task Mam_returns_the_archive_in_pages()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await bob.SendAsync("<presence/>");
        for (int i = 1; i <= 5; i++)
        {
            await alice.SendAsync($"<message to='bob@pbx.test' type='chat' id='m{i}'><body>msg {i}</body></message>");
        }
        await bob.ExpectAsync(e => e.Attr("id") == "m5");

        await bob.SendAsync("<iq type='set' id='q1'><query xmlns='urn:xmpp:mam:2' queryid='f1'>" +
                            "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>" +
                            "<field var='with'><value>alice@pbx.test</value></field></x>" +
                            "<set xmlns='http://jabber.org/protocol/rsm'><max>3</max></set></query></iq>");
        var page1 = new List<XElement>();
        for (int i = 0; i < 3; i++) page1.Add(await bob.ExpectAsync(e => e.Element(Mam + "result") is not null));
        var fin1 = await bob.ExpectAsync(e => e.Attr("id") == "q1");
        Assert.Equal(["msg 1", "msg 2", "msg 3"], page1.Select(Body));
        Assert.All(page1, m => Assert.Equal("f1", m.Element(Mam + "result")!.Attr("queryid")));
        var fin = fin1.Element(Mam + "fin")!;
        Assert.Null(fin.Attr("complete"));
        Assert.Equal("5", fin.Element(Rsm + "set")!.Element(Rsm + "count")!.Value);
        string last = fin.Element(Rsm + "set")!.Element(Rsm + "last")!.Value;

        await bob.SendAsync("<iq type='set' id='q2'><query xmlns='urn:xmpp:mam:2'>" +
                            $"<set xmlns='http://jabber.org/protocol/rsm'><max>3</max><after>{last}</after></set></query></iq>");
        var page2 = new List<XElement>();
        for (int i = 0; i < 2; i++) page2.Add(await bob.ExpectAsync(e => e.Element(Mam + "result") is not null));
        var fin2 = await bob.ExpectAsync(e => e.Attr("id") == "q2");
        Assert.Equal(["msg 4", "msg 5"], page2.Select(Body));
        Assert.Equal("true", fin2.Element(Mam + "fin")!.Attr("complete"));

        await bob.SendAsync("<iq type='set' id='q3'><query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>2</max><before/></set></query></iq>");
        var last1 = await bob.ExpectAsync(e => e.Element(Mam + "result") is not null);
        var last2 = await bob.ExpectAsync(e => e.Element(Mam + "result") is not null);
        Assert.Equal(["msg 4", "msg 5"], new[] { last1, last2 }.Select(Body));
        await bob.ExpectAsync(e => e.Attr("id") == "q3");

        await alice.SendAsync("<iq type='set' id='q4' to='bob@pbx.test'><query xmlns='urn:xmpp:mam:2'/></iq>");
        Assert.True((await alice.ExpectAsync(e => e.Attr("id") == "q4")).HasStanzaError("forbidden"));
    }

    private static string Body(XElement resultMessage) =>
        resultMessage.Descendants(Forward + "forwarded").Single().Element(Xml.Client + "message")!.Element(Xml.Client + "body")!.Value;
}
