using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;
using Pbx.Xmpp.Streams;

namespace Pbx.Xmpp.Tests.Core;

public sealed class SessionRegistryTests
{
    private sealed class NullTransport : ISessionTransport
    {
        public bool TrySend(XElement stanza) => true;
        public void Terminate(StreamErrorCondition condition, string? text) { }
    }

    private static XmppSession Session(string user, string resource) =>
        new(Jid.Create(user, "pbx.test", resource), null, new NullTransport());

    [Fact]
    public void Same_full_jid_replaces_and_limit_is_enforced()
    {
        var registry = new SessionRegistry(maxResourcesPerUser: 2);
        var first = Session("alice", "a");
        Assert.Equal(BindResult.Bound, registry.TryAdd(first, out _));
        Assert.Equal(BindResult.ReplacedExisting, registry.TryAdd(Session("alice", "a"), out var replaced));
        Assert.Same(first, replaced);
        Assert.Equal(BindResult.Bound, registry.TryAdd(Session("alice", "b"), out _));
        Assert.Equal(BindResult.TooManyResources, registry.TryAdd(Session("alice", "c"), out _));
        Assert.False(registry.Remove(first));
        Assert.Equal(2, registry.SessionsOf("alice").Count);
    }

    [Fact]
    public async Task Concurrent_binds_and_unbinds_never_lose_a_live_session()
    {
        var registry = new SessionRegistry(maxResourcesPerUser: 1000);
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                var session = Session("alice", $"w{worker}-{i}");
                Assert.Equal(BindResult.Bound, registry.TryAdd(session, out _));
                Assert.Same(session, registry.Find(session.FullJid));
                Assert.True(registry.Remove(session));
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(registry.SessionsOf("alice"));
    }
}
