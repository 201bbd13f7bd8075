using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Connections_beyond_the_per_address_limit_are_refused_until_one_closes()
    {
        await using var server = await TestServer.StartAsync(o => new()
        {
            Domain = o.Domain, Certificate = o.Certificate, MaxConnectionsPerAddress = 2,
        });
        await using var first = await server.LoginAsync("alice", "a");
        var second = await server.LoginAsync("bob", "b");

        using (var third = new System.Net.Sockets.TcpClient())
        {
            await third.ConnectAsync(server.EndPoint);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read;
            try
            {
                read = await third.GetStream().ReadAsync(new byte[16], timeout.Token);
            }
            catch (IOException)
            {
                read = 0; // a reset is as much a refusal as an orderly close
            }
            Assert.Equal(0, read);
        }

        await second.DisposeAsync();
        for (int i = 0; i < 100 && server.Server.ConnectionCount > 1; i++) await Task.Delay(20);
        await using var fourth = await server.LoginAsync("bob", "again");
        Assert.Equal("bob@pbx.test/again", fourth.BoundJid);
    }
}
