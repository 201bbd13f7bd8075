using System.Net.Sockets;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class RobustnessTests
{
    [Fact]
    public async Task Hundreds_of_messages_in_both_directions_arrive_complete_and_in_order()
    {
        const int count = 300;
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await using var bob = await server.LoginAsync("bob", "b");
        await alice.SendAsync("<presence/>");
        await bob.SendAsync("<presence/>");

        var aliceSends = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++) await alice.SendAsync($"<message to='bob@pbx.test/b' type='chat' id='a{i}'><body>{i}</body></message>");
        });
        var bobSends = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++) await bob.SendAsync($"<message to='alice@pbx.test/a' type='chat' id='b{i}'><body>{i}</body></message>");
        });
        var bobReceives = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++) Assert.Equal($"a{i}", (await bob.ExpectAsync(e => e.Name == Xml.Client + "message")).Attr("id"));
        });
        var aliceReceives = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++) Assert.Equal($"b{i}", (await alice.ExpectAsync(e => e.Name == Xml.Client + "message")).Attr("id"));
        });
        await Task.WhenAll(aliceSends, bobSends, bobReceives, aliceReceives).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Binary_garbage_and_half_open_connections_do_not_disturb_other_sessions()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        var random = new Random(42);
        var garbage = new byte[8192];
        for (int i = 0; i < 5; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.EndPoint);
            random.NextBytes(garbage);
            try
            {
                await tcp.GetStream().WriteAsync(garbage).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (IOException)
            {
                // The server may already have hung up.
            }
        }
        using (var silent = new TcpClient())
        {
            await silent.ConnectAsync(server.EndPoint);
        }

        await alice.SendAsync("<iq type='get' id='alive'><ping xmlns='urn:xmpp:ping'/></iq>");
        Assert.Equal("result", (await alice.ExpectAsync(e => e.Attr("id") == "alive")).Attr("type"));
        await using var again = await server.LoginAsync("bob", "b");
        Assert.Equal("bob@pbx.test/b", again.BoundJid);
    }

    [Fact]
    public async Task Failing_user_directory_gives_a_temporary_failure_not_a_crash()
    {
        await using var server = await TestServer.StartAsync();
        server.Users.FailLookups = true;
        await using var client = await RawXmppClient.ConnectAsync(server.EndPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        await client.OpenStreamAsync();
        var failure = await client.AuthenticateScramAsync("alice", TestServer.Password);
        Assert.NotNull(failure.Element(RawXmppClient.Sasl + "temporary-auth-failure"));

        server.Users.FailLookups = false;
        Assert.Equal("success", (await client.AuthenticateScramAsync("alice", TestServer.Password)).Name.LocalName);
    }

    [Fact]
    public async Task Stop_sends_system_shutdown_to_connected_clients()
    {
        var server = await TestServer.StartAsync();
        await using var alice = await server.LoginAsync("alice", "a");
        await server.DisposeAsync();
        var error = await alice.ExpectAsync(e => e.Name.LocalName == "error");
        Assert.True(error.IsStreamError("system-shutdown"), error.ToString());
    }
}
