using System.Text;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;
using static Pbx.Sip.Tests.Dialogs.DialogMessages;

namespace Pbx.Sip.Tests.Dialogs;

public class InDialogRequestTests
{
    private static readonly SipFlow Udp = new(SipTransportKind.Udp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.1"), 5060));
    private static ReadOnlySpan<byte> Via => "SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKnew;rport"u8;

    private static SipDialog AliceDialog(params string[] recordRoutes)
    {
        using var invite = Invite();
        using var ok = Response(200, "bob1", recordRoutes: recordRoutes);
        return SipDialog.TryCreateAsUac(invite, ok, Udp, out _)!;
    }

    private static SipDialog BobDialog(params string[] recordRoutes)
    {
        using var invite = Invite(recordRoutes);
        return SipDialog.TryCreateAsUas(invite, "bob1"u8, Udp, DialogState.Confirmed, out _)!;
    }

    [Fact]
    public void Bye_with_loose_routing_goes_to_the_remote_target_with_the_route_set_as_route()
    {
        var alice = AliceDialog(ProxyNearBob, ProxyNearAlice);
        using var bye = alice.CreateRequest(SipMethod.Bye, Via);

        Assert.Equal(
        [
            "BYE sip:bob@198.51.100.20:5070 SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKnew;rport",
            "Max-Forwards: 70",
            "Route: <sip:203.0.113.1;lr;ftag=alice1>",
            "Route: <sip:203.0.113.2;lr>",
            "From: \"Alice\" <sip:alice@example.com>;tag=alice1",
            "To: <sip:bob@example.com>;tag=bob1",
            "Call-ID: call-1@192.0.2.10",
            "CSeq: 11 BYE",
            "Content-Length: 0",
        ], Lines(bye));
        Assert.Equal("203.0.113.1:5060", alice.ResolveNextHop().Flow.Remote.ToString());
    }

    [Fact]
    public void Bye_from_the_uas_side_uses_the_route_set_in_request_order_and_swaps_from_and_to()
    {
        var bob = BobDialog(ProxyNearBob, ProxyNearAlice);
        using var bye = bob.CreateRequest(SipMethod.Bye, "SIP/2.0/UDP 198.51.100.20:5070;branch=z9hG4bKb"u8);

        var lines = Lines(bye);
        Assert.Equal("BYE sip:alice@192.0.2.10:5062 SIP/2.0", lines[0]);
        Assert.Equal([$"Route: {ProxyNearBob}", $"Route: {ProxyNearAlice}"], Headers(bye, "Route"));
        Assert.Equal(["From: <sip:bob@example.com>;tag=bob1"], Headers(bye, "From"));
        Assert.Equal(["To: \"Alice\" <sip:alice@example.com>;tag=alice1"], Headers(bye, "To"));
        // The UAS had no local CSeq yet: the first request picks the initial one (RFC 3261 §12.2.1.1).
        Assert.Equal(["CSeq: 1 BYE"], Headers(bye, "CSeq"));
        Assert.Equal("203.0.113.2:5060", bob.ResolveNextHop().Flow.Remote.ToString());
    }

    [Fact]
    public void Bye_with_strict_routing_puts_the_first_route_in_the_request_uri_and_the_target_last()
    {
        // The proxy near Alice is an RFC 2543 strict router (no ;lr).
        var alice = AliceDialog(ProxyNearBob, "<sip:203.0.113.1;transport=udp>");
        using var bye = alice.CreateRequest(SipMethod.Bye, Via);

        Assert.Equal("BYE sip:203.0.113.1;transport=udp SIP/2.0", Lines(bye)[0]);
        Assert.Equal(["Route: <sip:203.0.113.2;lr>", "Route: <sip:bob@198.51.100.20:5070>"], Headers(bye, "Route"));
        Assert.Equal("203.0.113.1:5060", alice.ResolveNextHop().Flow.Remote.ToString());
    }

    [Fact]
    public void Without_route_set_there_is_no_route_header()
    {
        var alice = AliceDialog();
        using var bye = alice.CreateRequest(SipMethod.Bye, Via);
        Assert.Equal("BYE sip:bob@198.51.100.20:5070 SIP/2.0", Lines(bye)[0]);
        Assert.Empty(Headers(bye, "Route"));
    }

    [Fact]
    public void Local_cseq_goes_up_and_ack_and_cancel_keep_the_invite_cseq()
    {
        var alice = AliceDialog();
        using (var ack = alice.CreateRequest(SipMethod.Ack, Via)) Assert.Equal(["CSeq: 10 ACK"], Headers(ack, "CSeq"));
        using (var info = alice.CreateRequest(SipMethod.Info, Via, body: "Signal=5\r\n"u8, contentType: "application/dtmf-relay"u8))
        {
            Assert.Equal(["CSeq: 11 INFO"], Headers(info, "CSeq"));
            Assert.Equal(["Content-Type: application/dtmf-relay"], Headers(info, "Content-Type"));
            using var parsed = Parse(info);
            Assert.Equal("Signal=5\r\n", Str(parsed.Body));
        }
        using (var reinvite = alice.CreateRequest(SipMethod.Invite, Via, contact: "<sip:alice@192.0.2.10:5062>"u8))
        {
            Assert.Equal(["CSeq: 12 INVITE"], Headers(reinvite, "CSeq"));
            Assert.Equal(["Contact: <sip:alice@192.0.2.10:5062>"], Headers(reinvite, "Contact"));
        }
        using (var cancel = alice.CreateRequest(SipMethod.Cancel, Via)) Assert.Equal(["CSeq: 12 CANCEL"], Headers(cancel, "CSeq"));
        using (var ack = alice.CreateRequest(SipMethod.Ack, Via)) Assert.Equal(["CSeq: 12 ACK"], Headers(ack, "CSeq"));
        using (var bye = alice.CreateRequest(SipMethod.Bye, Via)) Assert.Equal(["CSeq: 13 BYE"], Headers(bye, "CSeq"));
        Assert.Equal(13u, alice.LocalCSeq);
        Assert.Equal(12u, alice.LastInviteCSeq);
    }

    [Fact]
    public void Each_method_builds_a_request_that_parses_back()
    {
        var alice = AliceDialog(ProxyNearBob);
        foreach (var method in new[] { SipMethod.Update, SipMethod.Refer, SipMethod.Notify, SipMethod.Options, SipMethod.Message })
        {
            using var request = alice.CreateRequest(method, Via, contact: "<sip:alice@192.0.2.10:5062>"u8,
                headers: w => w.WriteHeader(HeaderKind.Event, "refer"));
            using var parsed = Parse(request);
            Assert.Equal(method, parsed.Method);
            Assert.Equal(method, parsed.CSeq.Method);
            Assert.Equal(70, parsed.MaxForwards);
            Assert.Equal("alice1", Str(parsed.From.Tag));
            Assert.Equal("bob1", Str(parsed.To.Tag));
            Assert.Equal(CallId, parsed.CallIdString);
            Assert.True(parsed.TryGetHeader(HeaderKind.Event, out _));
        }
    }

    [Fact]
    public void Misuse_is_refused_before_any_cseq_is_spent()
    {
        var bob = BobDialog();
        Assert.Throws<InvalidOperationException>(() => bob.CreateRequest(SipMethod.Ack, Via));
        Assert.Throws<ArgumentException>(() => bob.CreateRequest(SipMethod.Invite, Via));
        Assert.Throws<ArgumentException>(() => bob.CreateRequest(SipMethod.Info, Via, body: "x"u8));
        Assert.Throws<ArgumentException>(() => bob.CreateRequest(SipMethod.Bye, default));
        Assert.Null(bob.LocalCSeq);
    }

    [Fact]
    public void Request_uri_drops_uri_headers_and_the_method_parameter()
    {
        using var invite = Invite();
        using var ok = Response(200, "bob1", contact: "<sip:bob@198.51.100.20;method=INVITE;transport=tcp?Subject=x>");
        var alice = SipDialog.TryCreateAsUac(invite, ok, Udp, out _)!;
        using var bye = alice.CreateRequest(SipMethod.Bye, Via);
        Assert.Equal("BYE sip:bob@198.51.100.20;transport=tcp SIP/2.0", Lines(bye)[0]);
    }

    [Fact]
    public void Remote_cseq_lower_than_the_last_is_out_of_order_equal_or_higher_moves_it()
    {
        var bob = BobDialog();
        using var info11 = Request("INFO", 11, [], toTag: "bob1");
        using var info11Again = Request("INFO", 11, [], toTag: "bob1");
        using var info9 = Request("INFO", 9, [], toTag: "bob1");
        using var ack10 = Request("ACK", 10, [], toTag: "bob1");
        using var bye20 = Request("BYE", 20, [], toTag: "bob1");

        Assert.Equal(InDialogRequestVerdict.Accept, bob.CheckIncomingRequest(info11));
        Assert.Equal(11u, bob.RemoteCSeq);
        Assert.Equal(InDialogRequestVerdict.Accept, bob.CheckIncomingRequest(info11Again));
        Assert.Equal(InDialogRequestVerdict.RejectOutOfOrder, bob.CheckIncomingRequest(info9));
        Assert.Equal(11u, bob.RemoteCSeq);
        // A late ACK carries the INVITE's lower CSeq; it is never answered and leaves the CSeq alone.
        Assert.Equal(InDialogRequestVerdict.Accept, bob.CheckIncomingRequest(ack10));
        Assert.Equal(11u, bob.RemoteCSeq);
        Assert.Equal(InDialogRequestVerdict.Accept, bob.CheckIncomingRequest(bye20));
        Assert.Equal(20u, bob.RemoteCSeq);
    }

    [Fact]
    public void Uac_dialog_takes_the_first_remote_cseq_it_sees()
    {
        var alice = AliceDialog();
        using var bye = Request("BYE", 1, [], toTag: "bob1");
        Assert.Null(alice.RemoteCSeq);
        Assert.Equal(InDialogRequestVerdict.Accept, alice.CheckIncomingRequest(bye));
        Assert.Equal(1u, alice.RemoteCSeq);
    }

    [Fact]
    public void Reinvite_and_update_replace_the_remote_target_other_requests_do_not()
    {
        var bob = BobDialog();
        using var info = Request("INFO", 11, [], toTag: "bob1", contact: "<sip:alice@192.0.2.99>");
        using var reinvite = Request("INVITE", 12, [], toTag: "bob1", contact: "<sip:alice@192.0.2.11:5062>");
        using var update = Request("UPDATE", 13, [], toTag: "bob1", contact: "<sip:alice@192.0.2.12:5062;transport=tcp>");
        using var outOfOrder = Request("UPDATE", 5, [], toTag: "bob1", contact: "<sip:alice@192.0.2.66>");

        bob.CheckIncomingRequest(info);
        Assert.Equal("sip:alice@192.0.2.10:5062", bob.RemoteTarget.ToString());
        bob.CheckIncomingRequest(reinvite);
        var afterReinvite = bob.RemoteTarget;
        Assert.Equal("sip:alice@192.0.2.11:5062", afterReinvite.ToString());
        bob.CheckIncomingRequest(update);
        Assert.Equal("sip:alice@192.0.2.12:5062;transport=tcp", bob.RemoteTarget.ToString());
        Assert.Equal(InDialogRequestVerdict.RejectOutOfOrder, bob.CheckIncomingRequest(outOfOrder));
        Assert.Equal("sip:alice@192.0.2.12:5062;transport=tcp", bob.RemoteTarget.ToString());
        // A target handed out earlier stays readable after the refresh replaced it.
        Assert.Equal("sip:alice@192.0.2.11:5062", afterReinvite.ToString());

        using var bye = bob.CreateRequest(SipMethod.Bye, Via);
        Assert.Equal("BYE sip:alice@192.0.2.12:5062;transport=tcp SIP/2.0", Lines(bye)[0]);
        Assert.Equal(SipTransportKind.Tcp, bob.ResolveNextHop().Flow.Transport);
    }

    [Fact]
    public void A_2xx_to_our_target_refresh_replaces_the_remote_target_and_keeps_the_route_set()
    {
        var alice = AliceDialog(ProxyNearBob);
        using var reinviteOk = Response(200, "bob1", contact: "<sip:bob@198.51.100.30>", recordRoutes: [ProxyNearAlice], cseq: 11);
        using var infoOk = Response(200, "bob1", contact: "<sip:bob@198.51.100.99>", method: "INFO", cseq: 12);

        alice.ApplyResponse(reinviteOk);
        Assert.Equal("sip:bob@198.51.100.30", alice.RemoteTarget.ToString());
        Assert.Equal([ProxyNearBob], alice.RouteSet.ToArray().Select(r => r.ToString()));
        alice.ApplyResponse(infoOk);
        Assert.Equal("sip:bob@198.51.100.30", alice.RemoteTarget.ToString());
    }

    [Fact]
    public void Contact_values_with_line_breaks_are_refused_by_the_writer()
    {
        var alice = AliceDialog();
        Assert.Throws<ArgumentException>(() => alice.CreateRequest(SipMethod.Update, Via, contact: Encoding.ASCII.GetBytes("<sip:a@b>\r\nX: y")));
    }
}
