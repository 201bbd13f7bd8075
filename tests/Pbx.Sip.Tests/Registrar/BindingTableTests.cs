using System.Net;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Registrar;

public sealed class BindingTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly RegistrarOptions Options = new() { Realm = "pbx", MaxExpiresSeconds = 3600, MaxContactsPerAor = 2 };
    private static readonly SipFlow Flow = new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123));

    private static RegisterRequest Request(uint cseq, string callId = "call-1", bool removeAll = false, params ContactChange[] contacts) =>
        new("alice", removeAll, contacts, callId, cseq, [], "Desk/1.0", SupportsOutbound: false);

    private static ContactChange Contact(string uri, int expires = 300, double q = 1, string? instance = null, int? regId = null) =>
        new(uri, expires, q, instance, regId);

    [Fact]
    public void A_binding_keeps_the_flow_it_came_over_and_caps_the_expiry()
    {
        var table = new BindingTable();
        var update = table.Apply(Request(1, contacts: Contact("sip:alice@192.168.1.20", 86400)), Flow, Options, T0);

        var binding = Assert.Single(update.Current);
        Assert.Equal(Flow, binding.Flow);
        Assert.Equal(T0.AddSeconds(3600), binding.ExpiresAt);
        Assert.Equal(update.Changed, update.Current);
    }

    [Fact]
    public void A_refresh_replaces_the_binding_and_an_older_cseq_of_the_same_call_id_is_refused()
    {
        var table = new BindingTable();
        table.Apply(Request(5, contacts: Contact("sip:alice@192.168.1.20")), Flow, Options, T0);
        var refreshed = table.Apply(Request(6, contacts: Contact("sip:alice@192.168.1.20", 600)), Flow, Options, T0.AddSeconds(100));
        Assert.Equal(T0.AddSeconds(700), Assert.Single(refreshed.Current).ExpiresAt);
        Assert.Equal((T0, T0.AddSeconds(100)), (refreshed.Current[0].RegisteredAt, refreshed.Current[0].UpdatedAt));

        var stale = table.Apply(Request(6, contacts: Contact("sip:alice@192.168.1.20", 0)), Flow, Options, T0.AddSeconds(101));
        Assert.False(stale.Accepted);
        Assert.Single(table.Lookup("alice", T0.AddSeconds(102)));
    }

    [Fact]
    public void Equivalent_contact_uris_are_one_binding()
    {
        var table = new BindingTable();
        table.Apply(Request(1, contacts: Contact("sip:alice@192.168.1.20:5060;transport=udp")), Flow, Options, T0);
        var update = table.Apply(Request(1, "call-2", contacts: Contact("sip:alice@192.168.1.20:5060;TRANSPORT=UDP")), Flow, Options, T0);
        Assert.Single(update.Current);
    }

    [Fact]
    public void An_instance_id_identifies_the_device_across_contact_changes()
    {
        var table = new BindingTable();
        table.Apply(Request(1, contacts: Contact("sip:alice@10.0.0.5:5060", instance: "<urn:uuid:1>", regId: 1)), Flow, Options, T0);
        var moved = table.Apply(Request(2, contacts: Contact("sip:alice@10.0.0.9:5060", instance: "<urn:uuid:1>", regId: 1)), Flow, Options, T0);
        Assert.Equal("sip:alice@10.0.0.9:5060", Assert.Single(moved.Current).Contact);
    }

    [Fact]
    public void Lookup_orders_by_q_and_skips_expired_bindings()
    {
        var table = new BindingTable();
        table.Apply(Request(1, contacts: [Contact("sip:alice@10.0.0.1", 60, q: 0.3), Contact("sip:alice@10.0.0.2", 600, q: 0.9)]), Flow, Options, T0);

        Assert.Equal(["sip:alice@10.0.0.2", "sip:alice@10.0.0.1"], table.Lookup("ALICE", T0).Select(b => b.Contact));
        Assert.Equal(["sip:alice@10.0.0.2"], table.Lookup("alice", T0.AddSeconds(61)).Select(b => b.Contact));
        Assert.Equal("sip:alice@10.0.0.1", Assert.Single(table.Expire(T0.AddSeconds(61))).Contact);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Beyond_the_contact_limit_the_binding_expiring_soonest_makes_room()
    {
        var table = new BindingTable();
        table.Apply(Request(1, contacts: [Contact("sip:alice@10.0.0.1", 100), Contact("sip:alice@10.0.0.2", 900)]), Flow, Options, T0);
        var update = table.Apply(Request(1, "call-2", contacts: Contact("sip:alice@10.0.0.3", 500)), Flow, Options, T0);

        Assert.Equal(["sip:alice@10.0.0.1"], update.Removed.Select(b => b.Contact));
        Assert.Equal(2, update.Current.Count);
    }

    [Fact]
    public void Wildcard_removes_every_binding_and_expires_zero_removes_one()
    {
        var table = new BindingTable();
        table.Apply(Request(1, contacts: [Contact("sip:alice@10.0.0.1"), Contact("sip:alice@10.0.0.2")]), Flow, Options, T0);
        var one = table.Apply(Request(2, contacts: Contact("sip:alice@10.0.0.1", 0)), Flow, Options, T0);
        Assert.Equal(["sip:alice@10.0.0.1"], one.Removed.Select(b => b.Contact));

        var all = table.Apply(Request(3, removeAll: true), Flow, Options, T0);
        Assert.True(all.Accepted);
        Assert.Empty(all.Current);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Restore_skips_what_expired_while_the_daemon_was_down()
    {
        var table = new BindingTable();
        var live = new Binding("alice", "sip:alice@10.0.0.1", null, null, 1, T0.AddMinutes(5), "c", 1, Flow, [], null, T0, T0);
        var dead = live with { Contact = "sip:alice@10.0.0.2", ExpiresAt = T0.AddMinutes(-1) };

        table.Restore([live, dead], T0);

        Assert.Equal([live], table.Snapshot());
    }
}
