using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class LoginTests
{
    private static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    private static readonly XNamespace Sasl = RawXmppClient.Sasl;

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-1")]
    [InlineData("PLAIN")]
    public async Task Starttls_then_sasl_then_bind(string mechanism)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.LoginAsync("alice", "desk", mechanism);
        Assert.Equal("alice@pbx.test/desk", client.BoundJid);
        Assert.Single(server.Server.Sessions.SessionsOf("alice"));
    }

    [Fact]
    public async Task Before_tls_only_starttls_is_offered_and_required()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        var features = await client.OpenStreamAsync();
        Assert.NotNull(features.Element(Tls + "starttls")?.Element(Tls + "required"));
        Assert.Null(features.Element(Sasl + "mechanisms"));

        await client.SendAsync("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldC1wdw==</auth>");
        var error = await client.ReadElementAsync();
        Assert.True(error!.IsStreamError("policy-violation"), error!.ToString());
        Assert.Null(await client.ReadElementAsync());
    }

    [Fact]
    public async Task After_tls_plain_is_offered_next_to_scram()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        var features = await client.OpenStreamAsync();
        var mechanisms = features.Descendants(Sasl + "mechanism").Select(m => m.Value).ToList();
        Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"], mechanisms);
    }

    [Fact]
    public async Task Without_required_tls_plain_is_not_offered_in_clear_text()
    {
        await using var server = await TestServer.StartAsync(o => new() { Domain = o.Domain, Certificate = o.Certificate, RequireTls = false });
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        var features = await client.OpenStreamAsync();
        var mechanisms = features.Descendants(Sasl + "mechanism").Select(m => m.Value).ToList();
        Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-1"], mechanisms);
        var failure = await client.AuthenticatePlainAsync("alice", TestServer.Password);
        Assert.NotNull(failure.Element(Sasl + "encryption-required"));
        var success = await client.AuthenticateScramAsync("alice", TestServer.Password);
        Assert.Equal("success", success.Name.LocalName);
    }

    [Fact]
    public async Task Direct_tls_listener_accepts_logins()
    {
        await using var server = await TestServer.StartAsync(directTls: true);
        await using var client = await RawXmppClient.ConnectAsync(server.DirectTlsEndPoint!, directTls: true);
        var features = await client.OpenStreamAsync();
        Assert.Null(features.Element(Tls + "starttls"));
        Assert.Equal("success", (await client.AuthenticateScramAsync("bob", TestServer.Password)).Name.LocalName);
        await client.OpenStreamAsync();
        Assert.Equal("bob@pbx.test/x", await client.BindAsync("x"));
    }

    [Fact]
    public async Task Wrong_password_fails_and_repeated_failures_ban_the_address()
    {
        var clock = new ManualTimeProvider();
        await using var server = await TestServer.StartAsync(timeProvider: clock);
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        await client.OpenStreamAsync();
        for (int i = 0; i < 4; i++)
        {
            var failure = await client.AuthenticateScramAsync("alice", "wrong");
            Assert.NotNull(failure.Element(Sasl + "not-authorized"));
        }
        var fifth = await client.AuthenticateScramAsync("alice", "wrong");
        Assert.NotNull(fifth.Element(Sasl + "not-authorized"));
        var error = await client.ReadElementAsync();
        Assert.True(error!.IsStreamError("policy-violation"), error!.ToString());

        // A new connection from the same address is refused while the ban lasts, even with the right password.
        await using var again = await RawXmppClient.ConnectAsync(server.EndPoint);
        var refusal = await again.OpenStreamRawAsync();
        Assert.True(refusal!.IsStreamError("policy-violation"), refusal!.ToString());

        clock.Advance(TimeSpan.FromMinutes(6));
        await using var later = await server.LoginAsync("alice", "later");
        Assert.Equal("alice@pbx.test/later", later.BoundJid);
    }

    [Fact]
    public async Task Unknown_user_is_not_authorized()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        await client.OpenStreamAsync();
        var failure = await client.AuthenticateScramAsync("mallory", TestServer.Password);
        Assert.NotNull(failure.Element(Sasl + "not-authorized"));
    }

    [Fact]
    public async Task Server_generates_a_resource_when_none_is_requested_and_allows_several()
    {
        await using var server = await TestServer.StartAsync();
        await using var first = await server.LoginAsync("alice", "one");
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        await client.OpenStreamAsync();
        await client.AuthenticateScramAsync("alice", TestServer.Password);
        var features = await client.OpenStreamAsync();
        Assert.NotNull(features.Element(XNamespace.Get("urn:ietf:params:xml:ns:xmpp-bind") + "bind"));
        var jid = await client.BindAsync(null);
        Assert.StartsWith("alice@pbx.test/", jid);
        Assert.NotEqual("alice@pbx.test/one", jid);
        Assert.Equal(2, server.Server.Sessions.SessionsOf("alice").Count);

        await client.SendAsync("<iq type='set' id='s1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
        var reply = await client.ExpectAsync(e => e.Attr("id") == "s1");
        Assert.Equal("result", reply.Attr("type"));
    }

    [Fact]
    public async Task Binding_a_resource_in_use_replaces_the_old_session_with_a_conflict()
    {
        await using var server = await TestServer.StartAsync();
        await using var old = await server.LoginAsync("alice", "phone");
        await using var replacement = await server.LoginAsync("alice", "phone");
        var error = await old.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("conflict"));
        Assert.Null(await old.ReadElementAsync());
        await replacement.SendAsync("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
        Assert.Equal("result", (await replacement.ExpectAsync(e => e.Attr("id") == "p1")).Attr("type"));
    }
}
