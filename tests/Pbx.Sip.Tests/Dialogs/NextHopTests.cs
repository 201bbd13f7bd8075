using System.Net;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Transports;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Tests.Dialogs;

public class NextHopTests
{
    [Theory]
    [InlineData("sip:bob@192.0.2.20", SipTransportKind.Udp, "192.0.2.20:5060")]
    [InlineData("sip:192.0.2.20:5070;lr", SipTransportKind.Udp, "192.0.2.20:5070")]
    [InlineData("sip:bob@192.0.2.20;transport=TCP", SipTransportKind.Tcp, "192.0.2.20:5060")]
    [InlineData("sip:bob@192.0.2.20;transport=tls", SipTransportKind.Tls, "192.0.2.20:5061")]
    [InlineData("sips:bob@192.0.2.20", SipTransportKind.Tls, "192.0.2.20:5061")]
    [InlineData("sips:bob@192.0.2.20;transport=tcp", SipTransportKind.Tls, "192.0.2.20:5061")]
    [InlineData("sip:bob@192.0.2.20:8088;transport=ws", SipTransportKind.Ws, "192.0.2.20:8088")]
    [InlineData("sips:bob@192.0.2.20;transport=ws", SipTransportKind.Wss, "192.0.2.20:443")]
    [InlineData("sip:bob@[2001:db8::1]:5080", SipTransportKind.Udp, "[2001:db8::1]:5080")]
    [InlineData("sip:bob@proxy.example.com;maddr=192.0.2.30", SipTransportKind.Udp, "192.0.2.30:5060")]
    public void Numeric_hosts_resolve_to_transport_address_and_port(string uri, SipTransportKind transport, string endpoint)
    {
        var hop = NextHop.Resolve(SipUri.Parse(uri));
        Assert.True(hop.IsResolved, hop.ToString());
        Assert.Equal(transport, hop.Flow.Transport);
        Assert.Equal(IPEndPoint.Parse(endpoint), hop.Flow.Remote);
    }

    [Theory]
    [InlineData("sip:bob@proxy.example.com", NextHopFailure.NeedsDns)]
    [InlineData("sip:bob@10.1", NextHopFailure.NeedsDns)]
    [InlineData("sip:bob@df7jal23ls0d.invalid;transport=ws", NextHopFailure.NeedsDns)]
    [InlineData("sip:bob@192.0.2.20;transport=sctp", NextHopFailure.UnsupportedTransport)]
    [InlineData("sips:bob@192.0.2.20;transport=udp", NextHopFailure.UnsupportedTransport)]
    [InlineData("tel:+15551234567", NextHopFailure.UnsupportedScheme)]
    public void Names_and_unsupported_uris_fail_clearly(string uri, NextHopFailure failure)
    {
        var hop = NextHop.Resolve(SipUri.Parse(uri));
        Assert.False(hop.IsResolved);
        Assert.Equal(failure, hop.Failure);
    }

    [Fact]
    public void Dialog_next_hop_is_the_first_route_or_else_the_remote_target()
    {
        var flow = new SipFlow(SipTransportKind.Udp, IPEndPoint.Parse("192.0.2.10:5062"));
        using var invite = DialogMessages.Invite();
        using var routed = DialogMessages.Response(200, "bob1", recordRoutes: [DialogMessages.ProxyNearBob, DialogMessages.ProxyNearAlice]);
        using var direct = DialogMessages.Response(200, "bob1");

        Assert.Equal(IPEndPoint.Parse("203.0.113.1:5060"), SipDialog.TryCreateAsUac(invite, routed, flow, out _)!.ResolveNextHop().Flow.Remote);
        Assert.Equal(IPEndPoint.Parse("198.51.100.20:5070"), SipDialog.TryCreateAsUac(invite, direct, flow, out _)!.ResolveNextHop().Flow.Remote);
    }
}
