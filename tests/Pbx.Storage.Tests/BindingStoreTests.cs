using System.Net;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transports;
using Pbx.Storage.Sip;

namespace Pbx.Storage.Tests;

public sealed class BindingStoreTests
{
    private static Binding Make(string contact, bool mobile, SipFlow flow) =>
        new("alice", contact, null, null, 1.0, new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero), "call-1", 3, flow,
            ["<sip:edge.example.com;lr>"], "phone/1.0", new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero)) { IsMobile = mobile };

    [Fact]
    public async Task Bindings_come_back_as_saved_including_the_mobile_client_flag()
    {
        using var db = await TempDatabase.MigratedAsync();
        var store = new SqliteBindingStore(db.Database);
        var mobile = Make("sip:alice@10.0.0.5:5060", mobile: true, new SipFlow(SipTransportKind.Tls, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40123), 9));
        var desk = Make("sip:alice@10.0.0.6:5060", mobile: false, new SipFlow(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.8"), 5060)));

        await store.SaveAsync([mobile, desk], [], CancellationToken.None);
        var loaded = (await store.LoadAsync(CancellationToken.None)).OrderBy(b => b.Contact).ToList();

        // Path is a list after loading, so compare what identifies and routes a binding rather than the records.
        Assert.Equal([(mobile.Contact, mobile.Flow, mobile.ExpiresAt, true), (desk.Contact, desk.Flow, desk.ExpiresAt, false)],
            loaded.Select(b => (b.Contact, b.Flow, b.ExpiresAt, b.IsMobile)));
        Assert.All(loaded, b => Assert.Equal(["<sip:edge.example.com;lr>"], b.Path));
    }
}
