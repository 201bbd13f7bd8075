using Pbx.Sip.Dialogs;
using Pbx.Sip.Transports;
using static Pbx.Sip.Tests.Dialogs.DialogMessages;

namespace Pbx.Sip.Tests.Dialogs;

public class DialogCreationTests
{
    private static readonly SipFlow Udp = new(SipTransportKind.Udp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.2"), 5060));

    private static string[] Routes(SipDialog dialog) => dialog.RouteSet.ToArray().Select(r => r.ToString()).ToArray();

    [Fact]
    public void Uas_dialog_takes_record_route_in_order_and_contact_as_target()
    {
        using var invite = Invite(ProxyNearBob, ProxyNearAlice);
        var dialog = SipDialog.TryCreateAsUas(invite, "bob1"u8, Udp, DialogState.Confirmed, out var error);

        Assert.Equal(DialogCreateError.None, error);
        Assert.NotNull(dialog);
        Assert.Equal(DialogRole.Uas, dialog.Role);
        Assert.Equal(DialogState.Confirmed, dialog.State);
        Assert.Equal(CallId, Str(dialog.CallId));
        Assert.Equal("bob1", Str(dialog.LocalTag));
        Assert.Equal("alice1", Str(dialog.RemoteTag));
        Assert.Equal("sip:bob@example.com", dialog.LocalUri.ToString());
        Assert.Equal("sip:alice@example.com", dialog.RemoteUri.ToString());
        Assert.Equal("sip:alice@192.0.2.10:5062", dialog.RemoteTarget.ToString());
        Assert.Equal([ProxyNearBob, ProxyNearAlice], Routes(dialog));
        Assert.Equal(10u, dialog.RemoteCSeq);
        Assert.Null(dialog.LocalCSeq);
        Assert.False(dialog.IsSecure);
    }

    [Fact]
    public void Uas_dialog_outlives_the_request_it_came_from()
    {
        var invite = Invite(ProxyNearBob);
        var dialog = SipDialog.TryCreateAsUas(invite, "bob1"u8, Udp, DialogState.Early, out _)!;
        invite.Dispose();

        Assert.Equal(CallId, Str(dialog.CallId));
        Assert.Equal("sip:alice@192.0.2.10:5062", dialog.RemoteTarget.ToString());
        Assert.Equal([ProxyNearBob], Routes(dialog));
        Assert.Equal(DialogState.Early, dialog.State);
        Assert.True(dialog.Confirm());
        Assert.False(dialog.Confirm());
        Assert.Equal(DialogState.Confirmed, dialog.State);
    }

    [Fact]
    public void Dialogs_without_record_route_have_an_empty_route_set()
    {
        using var invite = Invite();
        using var ok = Response(200, "bob1");
        Assert.True(SipDialog.TryCreateAsUas(invite, "bob1"u8, Udp, DialogState.Confirmed, out _)!.RouteSet.IsEmpty);
        Assert.True(SipDialog.TryCreateAsUac(invite, ok, Udp, out _)!.RouteSet.IsEmpty);
    }

    [Fact]
    public void Uac_dialog_reverses_the_record_route_of_the_response()
    {
        using var invite = Invite();
        // Comma-separated values in one header count like separate headers (RFC 3261 §7.3.1).
        using var ok = Response(200, "bob1", recordRoutes: [$"{ProxyNearBob}, {ProxyNearAlice}"]);
        var dialog = SipDialog.TryCreateAsUac(invite, ok, Udp, out var error);

        Assert.Equal(DialogCreateError.None, error);
        Assert.NotNull(dialog);
        Assert.Equal(DialogRole.Uac, dialog.Role);
        Assert.Equal(DialogState.Confirmed, dialog.State);
        Assert.Equal("alice1", Str(dialog.LocalTag));
        Assert.Equal("bob1", Str(dialog.RemoteTag));
        Assert.Equal("sip:alice@example.com", dialog.LocalUri.ToString());
        Assert.Equal("sip:bob@example.com", dialog.RemoteUri.ToString());
        Assert.Equal("sip:bob@198.51.100.20:5070", dialog.RemoteTarget.ToString());
        Assert.Equal([ProxyNearAlice, ProxyNearBob], Routes(dialog));
        Assert.Equal(10u, dialog.LocalCSeq);
        Assert.Equal(10u, dialog.LastInviteCSeq);
        Assert.Null(dialog.RemoteCSeq);
    }

    [Fact]
    public void Uac_early_dialog_from_a_provisional_with_tag_and_none_without()
    {
        using var invite = Invite();
        using var ringing = Response(180, "bob1");
        using var trying = Response(100, null);
        using var untagged = Response(183, null);

        Assert.Equal(DialogState.Early, SipDialog.TryCreateAsUac(invite, ringing, Udp, out _)!.State);
        Assert.Null(SipDialog.TryCreateAsUac(invite, trying, Udp, out var e1));
        Assert.Equal(DialogCreateError.NotDialogCreatingResponse, e1);
        Assert.Null(SipDialog.TryCreateAsUac(invite, untagged, Udp, out var e2));
        Assert.Equal(DialogCreateError.MissingRemoteTag, e2);
    }

    [Fact]
    public void Ringing_without_contact_targets_the_request_uri_until_the_2xx_sets_it()
    {
        using var invite = Invite();
        using var ringing = Response(180, "bob1", contact: "", recordRoutes: [ProxyNearBob]);
        var dialog = SipDialog.TryCreateAsUac(invite, ringing, Udp, out _)!;
        Assert.Equal("sip:bob@example.com", dialog.RemoteTarget.ToString());

        using var ok = Response(200, "bob1", recordRoutes: [ProxyNearBob, ProxyNearAlice]);
        dialog.ApplyResponse(ok);
        Assert.Equal(DialogState.Confirmed, dialog.State);
        Assert.Equal("sip:bob@198.51.100.20:5070", dialog.RemoteTarget.ToString());
        // The 2xx recomputes the route set (RFC 3261 §13.2.2.4).
        Assert.Equal([ProxyNearAlice, ProxyNearBob], Routes(dialog));
    }

    [Fact]
    public void Creation_refuses_what_cannot_make_a_dialog()
    {
        using var invite = Invite();
        using var options = Request("OPTIONS", 1, []);
        using var noContact = Request("INVITE", 1, [], contact: "");
        using var badRoute = Invite("<sip:203.0.113.2;lr");
        using var okNoContact = Response(200, "bob1", contact: "");
        using var reinvite = Request("INVITE", 11, [], toTag: "bob1");

        Assert.Null(SipDialog.TryCreateAsUas(options, "b"u8, Udp, DialogState.Confirmed, out var e1));
        Assert.Equal(DialogCreateError.NotDialogCreating, e1);
        Assert.Null(SipDialog.TryCreateAsUas(noContact, "b"u8, Udp, DialogState.Confirmed, out var e2));
        Assert.Equal(DialogCreateError.MissingContact, e2);
        Assert.Null(SipDialog.TryCreateAsUas(invite, default, Udp, DialogState.Confirmed, out var e3));
        Assert.Equal(DialogCreateError.MissingLocalTag, e3);
        Assert.Null(SipDialog.TryCreateAsUas(badRoute, "b"u8, Udp, DialogState.Confirmed, out var e4));
        Assert.Equal(DialogCreateError.MalformedRecordRoute, e4);
        Assert.Null(SipDialog.TryCreateAsUac(invite, okNoContact, Udp, out var e5));
        Assert.Equal(DialogCreateError.MissingContact, e5);
        Assert.Null(SipDialog.TryCreateAsUas(reinvite, "b"u8, Udp, DialogState.Confirmed, out var e6));
        Assert.Equal(DialogCreateError.NotDialogCreating, e6);
    }

    [Fact]
    public void Secure_only_for_a_sips_request_uri_over_tls()
    {
        using var sips = Request("INVITE", 1, [], requestUri: "sips:bob@example.com");
        using var sip = Request("INVITE", 1, []);
        var tls = Udp with { Transport = SipTransportKind.Tls };

        Assert.True(SipDialog.TryCreateAsUas(sips, "b"u8, tls, DialogState.Confirmed, out _)!.IsSecure);
        Assert.False(SipDialog.TryCreateAsUas(sips, "b"u8, Udp, DialogState.Confirmed, out _)!.IsSecure);
        Assert.False(SipDialog.TryCreateAsUas(sip, "b"u8, tls, DialogState.Confirmed, out _)!.IsSecure);
    }

    [Fact]
    public void Forked_invite_gets_one_early_dialog_per_to_tag_and_the_2xx_confirms_its_own()
    {
        var table = new DialogTable();
        var call = new object();
        using var invite = Invite();
        using var ringingA = Response(180, "phoneA", contact: "<sip:bob@198.51.100.21>");
        using var ringingB = Response(180, "phoneB", contact: "<sip:bob@198.51.100.22>");
        using var ringingAagain = Response(183, "phoneA", contact: "<sip:bob@198.51.100.21>");
        using var okB = Response(200, "phoneB", contact: "<sip:bob@198.51.100.22>");

        var a = table.ApplyUacResponse(invite, ringingA, Udp, call, out _);
        var b = table.ApplyUacResponse(invite, ringingB, Udp, call, out _);
        Assert.Same(a, table.ApplyUacResponse(invite, ringingAagain, Udp, call, out _));
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotSame(a, b);
        Assert.Equal(2, table.Count);
        Assert.Equal(DialogState.Early, a.State);

        Assert.Same(b, table.ApplyUacResponse(invite, okB, Udp, call, out _));
        Assert.Equal(DialogState.Confirmed, b.State);
        Assert.Equal(DialogState.Early, a.State);
        Assert.Equal([a, b], table.GetDialogs(call));
    }

    [Fact]
    public void A_final_failure_ends_the_early_dialogs_of_the_invite()
    {
        var table = new DialogTable();
        var call = new object();
        using var invite = Invite();
        using var ringingA = Response(180, "phoneA");
        using var ringingB = Response(180, "phoneB");
        using var busy = Response(486, "phoneB");
        var a = table.ApplyUacResponse(invite, ringingA, Udp, call, out _)!;
        var b = table.ApplyUacResponse(invite, ringingB, Udp, call, out _)!;

        Assert.Null(table.ApplyUacResponse(invite, busy, Udp, call, out var error));
        Assert.Equal(DialogCreateError.None, error);
        Assert.Equal(0, table.Count);
        Assert.Equal(DialogState.Terminated, a.State);
        Assert.Equal(DialogState.Terminated, b.State);
        Assert.Empty(table.GetDialogs(call));
    }

    [Fact]
    public void A_2xx_from_a_branch_that_sent_no_provisional_makes_a_confirmed_dialog()
    {
        var table = new DialogTable();
        var call = new object();
        using var invite = Invite();
        using var ringingA = Response(180, "phoneA");
        using var okC = Response(200, "phoneC", recordRoutes: [ProxyNearBob]);
        table.ApplyUacResponse(invite, ringingA, Udp, call, out _);

        var c = table.ApplyUacResponse(invite, okC, Udp, call, out _);
        Assert.NotNull(c);
        Assert.Equal(DialogState.Confirmed, c.State);
        Assert.Equal("phoneC", Str(c.RemoteTag));
        Assert.Equal(2, table.Count);
    }
}
