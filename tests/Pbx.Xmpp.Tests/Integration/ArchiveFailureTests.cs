using System.Net;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Integration;

public sealed class ArchiveFailureTests
{
    /// <summary>An archive that fails every write, as a locked or full database would.</summary>
    private sealed class BrokenArchive : IChatArchive
    {
        public int Attempts;

        public ValueTask AppendAsync(ChatArchiveRecord record, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            throw new InvalidOperationException("database is locked");
        }

        public ValueTask<ChatArchivePage> QueryAsync(ChatArchiveQuery query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new ChatArchivePage([], true, 0));
    }

    [Fact]
    public async Task A_message_is_delivered_even_when_the_archive_cannot_store_it()
    {
        var users = new TestUserDirectory().Add("alice", TestServer.Password, "Alice").Add("bob", TestServer.Password, "Bob");
        var archive = new BrokenArchive();
        await using var server = new XmppServer(new XmppServerOptions { Domain = "pbx.test", Certificate = TestCertificate.Instance },
            users, new InMemoryRosterStore(), new InMemoryOfflineMessageStore(), archive, new InMemoryVCardStore(), new InMemoryBlockListStore());
        var endPoint = await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var alice = await RawXmppClient.LoginAsync(endPoint, "alice", TestServer.Password, "a");
        await using var bob = await RawXmppClient.LoginAsync(endPoint, "bob", TestServer.Password, "b");
        await bob.SendAsync("<presence/>");

        await alice.SendAsync("<message to='bob@pbx.test/b' type='chat' id='m1'><body>still here</body></message>");

        var received = await bob.ExpectAsync(e => e.Name.LocalName == "message" && e.Attr("id") == "m1");
        Assert.Equal("still here", received.Elements().Single(x => x.Name.LocalName == "body").Value);
        Assert.Equal(1, archive.Attempts);
    }
}
