using System.Net;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Server;

namespace Pbx.Xmpp.Tests.Support;

/// <summary>A server on 127.0.0.1 with an ephemeral port and in-memory stores.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string Password = "secret-pw";

    private TestServer(XmppServer server, IPEndPoint endPoint, TestUserDirectory users, InMemoryChatArchive archive,
        InMemoryOfflineMessageStore offline, InMemoryRosterStore roster)
    {
        Server = server;
        EndPoint = endPoint;
        Users = users;
        Archive = archive;
        Offline = offline;
        Roster = roster;
    }

    public XmppServer Server { get; }
    public IPEndPoint EndPoint { get; }
    public TestUserDirectory Users { get; }
    public InMemoryChatArchive Archive { get; }
    public InMemoryOfflineMessageStore Offline { get; }
    public InMemoryRosterStore Roster { get; }
    public IPEndPoint? DirectTlsEndPoint { get; private set; }

    public static async Task<TestServer> StartAsync(
        Func<XmppServerOptions, XmppServerOptions>? configure = null,
        TimeProvider? timeProvider = null,
        bool directTls = false)
    {
        var users = new TestUserDirectory()
            .Add("alice", Password, "Alice Anders")
            .Add("bob", Password, "Bob Berg")
            .Add("carol", Password, "Carol Cruz", inSharedRoster: false)
            .Add("dave", Password, "Dave Dunn", inSharedRoster: false);
        var options = new XmppServerOptions { Domain = "pbx.test", Certificate = TestCertificate.Instance };
        if (configure is not null) options = configure(options);
        var archive = new InMemoryChatArchive();
        var offline = new InMemoryOfflineMessageStore();
        var roster = new InMemoryRosterStore();
        var server = new XmppServer(options, users, roster, offline, archive, new InMemoryVCardStore(), new InMemoryBlockListStore(), null, timeProvider);
        var endPoint = await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var result = new TestServer(server, endPoint, users, archive, offline, roster);
        if (directTls) result.DirectTlsEndPoint = await server.StartDirectTlsAsync(new IPEndPoint(IPAddress.Loopback, 0));
        return result;
    }

    public Task<RawXmppClient> LoginAsync(string user, string resource, string mechanism = "SCRAM-SHA-256") =>
        RawXmppClient.LoginAsync(EndPoint, user, Password, resource, mechanism);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
