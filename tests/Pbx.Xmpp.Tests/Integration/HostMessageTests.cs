using System.Xml.Linq;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class HostMessageTests
{
    [Fact]
    public async Task Host_can_notify_users_online_or_offline()
    {
        await using var server = await TestServer.StartAsync();
        var notice = new XElement(Xml.Client + "message",
            new XAttribute("type", "chat"), new XElement(Xml.Client + "body", "Missed call from 1002"));
        Assert.True(await server.Server.SendMessageAsync("bob", notice));
        Assert.False(await server.Server.SendMessageAsync("nobody", notice));

        await using var bob = await server.LoginAsync("bob", "b");
        await bob.SendAsync("<presence/>");
        var stored = await bob.ExpectAsync(e => e.Name == Xml.Client + "message");
        Assert.Equal("pbx.test", stored.Attr("from"));
        Assert.Equal("Missed call from 1002", stored.Element(Xml.Client + "body")!.Value);

        Assert.True(await server.Server.SendMessageAsync("BOB", notice));
        Assert.Equal("bob@pbx.test", (await bob.ExpectAsync(e => e.Name == Xml.Client + "message")).Attr("to"));
    }
}
