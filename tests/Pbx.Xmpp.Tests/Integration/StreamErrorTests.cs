using System.Text;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class StreamErrorTests
{
    [Fact]
    public async Task Ten_megabyte_stanza_closes_only_that_stream()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await using var carol = await server.LoginAsync("carol", "c");

        var sendHuge = Task.Run(async () =>
        {
            try
            {
                await alice.SendAsync("<message to='bob@pbx.test' type='chat'><body>");
                var chunk = new string('x', 64 * 1024);
                for (int i = 0; i < 160; i++) await alice.SendAsync(chunk);
                await alice.SendAsync("</body></message>");
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
            {
                // The server may close the socket before the upload finishes; that is the point.
            }
        });
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error", TimeSpan.FromSeconds(20));
        Assert.True(error.IsStreamError("policy-violation"), error.ToString());
        await sendHuge.WaitAsync(TimeSpan.FromSeconds(30));

        await carol.SendAsync("<message to='bob@pbx.test' type='chat' id='m1'><body>still here</body></message>");
        await bob.SendAsync("<presence/>");
        var message = await bob.ExpectAsync(e => e.Name.LocalName == "message" && e.Attr("id") == "m1");
        Assert.Equal("still here", message.Element(Xml.Client + "body")!.Value);
        Assert.Equal("carol@pbx.test/c", message.Attr("from"));
        Assert.Empty(server.Server.Sessions.SessionsOf("alice"));
    }

    [Fact]
    public async Task Malformed_xml_gets_not_well_formed_and_the_server_keeps_serving()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<message><body>oops</message>");
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("not-well-formed"), error.ToString());
        Assert.Null(await alice.ReadElementAsync());

        await using var again = await server.LoginAsync("alice", "a");
        Assert.Equal("alice@pbx.test/a", again.BoundJid);
    }

    [Fact]
    public async Task Wrong_host_is_host_unknown()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        var error = await client.OpenStreamRawAsync("elsewhere.example");
        Assert.True(error!.IsStreamError("host-unknown"), error!.ToString());
    }

    [Fact]
    public async Task Wrong_content_namespace_is_invalid_namespace()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        var error = await client.OpenStreamRawAsync(header:
            "<stream:stream to='pbx.test' version='1.0' xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>");
        Assert.True(error!.IsStreamError("invalid-namespace"), error!.ToString());
    }

    [Fact]
    public async Task Entity_expansion_attempt_is_refused_and_the_connection_closed()
    {
        await using var server = await TestServer.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(
            "<?xml version='1.0'?><!DOCTYPE s [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><stream:stream>"));
        // The server answers with its own header plus the error, then closes: read raw bytes to the end.
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            int read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        Assert.Contains("<restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", received.ToString());
        Assert.EndsWith("</stream:stream>", received.ToString());
    }

    [Fact]
    public async Task Stanza_before_authentication_is_not_authorized()
    {
        await using var server = await TestServer.StartAsync(o => new() { Domain = o.Domain, Certificate = o.Certificate, RequireTls = false });
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.SendAsync("<message to='bob@pbx.test'><body>spam</body></message>");
        var error = await client.ReadElementAsync();
        Assert.True(error!.IsStreamError("not-authorized"), error!.ToString());
    }

    [Fact]
    public async Task Spoofed_from_is_invalid_from()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await alice.SendAsync("<message from='bob@pbx.test/x' to='carol@pbx.test'><body>spoof</body></message>");
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("invalid-from"), error.ToString());
    }

    [Fact]
    public async Task Idle_connection_times_out_on_the_virtual_clock()
    {
        var clock = new ManualTimeProvider();
        await using var server = await TestServer.StartAsync(o => new()
        {
            Domain = o.Domain, Certificate = o.Certificate, IdleTimeout = TimeSpan.FromMinutes(2),
        }, clock);
        await using var alice = await server.LoginAsync("alice", "a");
        await Task.Delay(100);
        clock.Advance(TimeSpan.FromMinutes(3));
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("connection-timeout"), error.ToString());
    }

    [Fact]
    public async Task Slow_negotiation_times_out()
    {
        var clock = new ManualTimeProvider();
        await using var server = await TestServer.StartAsync(timeProvider: clock);
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        clock.Advance(TimeSpan.FromSeconds(61));
        var error = await client.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("connection-timeout"), error.ToString());
    }
}
