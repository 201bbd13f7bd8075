using Pbx.Sip.Dialogs;
using Pbx.Sip.Transports;
using static Pbx.Sip.Tests.Dialogs.DialogMessages;

namespace Pbx.Sip.Tests.Dialogs;

public class DialogTableTests
{
    private static readonly SipFlow Udp = new(SipTransportKind.Udp, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.10"), 5062));

    private static SipDialog UasDialog(string localTag = "bob1")
    {
        using var invite = Invite(ProxyNearBob);
        return SipDialog.TryCreateAsUas(invite, System.Text.Encoding.ASCII.GetBytes(localTag), Udp, DialogState.Confirmed, out _)!;
    }

    [Fact]
    public void Incoming_request_matches_by_call_id_to_tag_and_from_tag()
    {
        var table = new DialogTable();
        var dialog = UasDialog();
        Assert.True(table.TryAdd(dialog, "call"));

        using var bye = Request("BYE", 11, [], toTag: "bob1");
        using var otherToTag = Request("BYE", 11, [], toTag: "bob2");
        using var noToTag = Request("INVITE", 11, []);
        Assert.Same(dialog, table.FindForRequest(bye));
        Assert.Null(table.FindForRequest(otherToTag));
        Assert.Null(table.FindForRequest(noToTag));
    }

    [Fact]
    public void Incoming_response_matches_by_call_id_from_tag_and_to_tag()
    {
        var table = new DialogTable();
        using var invite = Invite();
        using var ok = Response(200, "bob1");
        var dialog = SipDialog.TryCreateAsUac(invite, ok, Udp, out _)!;
        table.TryAdd(dialog, "call");

        using var byeOk = Response(200, "bob1", method: "BYE", cseq: 11);
        using var otherBranch = Response(200, "bob9", method: "BYE", cseq: 11);
        Assert.Same(dialog, table.FindForResponse(byeOk));
        Assert.Null(table.FindForResponse(otherBranch));
        // The same tags seen from the other side are another dialog: our tag is the From-tag of a response.
        using var asRequest = Request("BYE", 11, [], toTag: "bob1");
        Assert.Null(table.FindForRequest(asRequest));
    }

    [Fact]
    public void Dialog_id_equality_and_span_lookup_agree()
    {
        var a = new DialogId("c"u8, "l"u8, "r"u8);
        Assert.Equal(a, new DialogId("c"u8, "l"u8, "r"u8));
        Assert.Equal(a.GetHashCode(), new DialogId("c"u8, "l"u8, "r"u8).GetHashCode());
        // The boundaries between the parts count: "cl" + "" + "r" is another dialog.
        Assert.NotEqual(a, new DialogId("cl"u8, ""u8, "r"u8));
        Assert.NotEqual(a, new DialogId("c"u8, "r"u8, "l"u8));

        var table = new DialogTable();
        var dialog = UasDialog();
        table.TryAdd(dialog, "call");
        Assert.Same(dialog, table.Find(new DialogIdView(System.Text.Encoding.ASCII.GetBytes(CallId), "bob1"u8, "alice1"u8)));
        Assert.Same(dialog, table.Find(dialog.Id));
        Assert.Null(table.Find(new DialogIdView(System.Text.Encoding.ASCII.GetBytes(CallId), "bob1"u8, "ALICE1"u8)));
    }

    [Fact]
    public void Matching_a_request_does_not_allocate()
    {
        var table = new DialogTable();
        for (int i = 0; i < 100; i++) table.TryAdd(UasDialog("tag" + i), "call" + i);
        using var bye = Request("BYE", 11, [], toTag: "tag42");
        for (int i = 0; i < 100; i++) table.FindForRequest(bye);

        long before = GC.GetAllocatedBytesForCurrentThread();
        SipDialog? found = null;
        for (int i = 0; i < 1000; i++) found = table.FindForRequest(bye);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotNull(found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Duplicate_ids_are_refused_and_a_dialog_goes_into_one_table_once()
    {
        var table = new DialogTable();
        var dialog = UasDialog();
        Assert.True(table.TryAdd(dialog, "call"));
        Assert.False(table.TryAdd(UasDialog(), "call"));
        Assert.Throws<InvalidOperationException>(() => table.TryAdd(dialog, "other"));
        Assert.Same("call", dialog.Owner);
    }

    [Fact]
    public void Terminate_removes_the_dialog_and_later_requests_are_refused()
    {
        var table = new DialogTable();
        var dialog = UasDialog();
        table.TryAdd(dialog, "call");
        using var bye = Request("BYE", 11, [], toTag: "bob1");

        Assert.True(table.Terminate(dialog));
        Assert.False(table.Terminate(dialog));
        Assert.Equal(0, table.Count);
        Assert.Null(table.FindForRequest(bye));
        Assert.Empty(table.GetDialogs("call"));
        Assert.Equal(DialogState.Terminated, dialog.State);
        // An owner still holding the object gets "481" and cannot build more requests.
        Assert.Equal(InDialogRequestVerdict.RejectTerminated, dialog.CheckIncomingRequest(bye));
        Assert.Throws<InvalidOperationException>(() => dialog.CreateRequest(Pbx.Sip.Messages.SipMethod.Bye, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx"u8));
    }

    [Fact]
    public void Terminate_all_drops_every_dialog_of_an_owner_and_no_other()
    {
        var table = new DialogTable();
        var call = new object();
        var other = new object();
        var a = UasDialog("a");
        var b = UasDialog("b");
        var c = UasDialog("c");
        table.TryAdd(a, call);
        table.TryAdd(b, call);
        table.TryAdd(c, other);

        Assert.Equal(2, table.TerminateAll(call));
        Assert.Equal(0, table.TerminateAll(call));
        Assert.Equal(1, table.Count);
        Assert.Equal(DialogState.Terminated, a.State);
        Assert.Equal(DialogState.Terminated, b.State);
        Assert.Equal(DialogState.Confirmed, c.State);
        Assert.Same(c, table.Find(c.Id));
    }

    [Fact]
    public async Task Concurrent_adds_lookups_and_removals_leave_nothing_behind()
    {
        var table = new DialogTable();
        using var bye = Request("BYE", 11, [], toTag: "tag7");
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                var owner = new object();
                var dialog = UasDialog($"tag{w}-{i}");
                Assert.True(table.TryAdd(dialog, owner));
                Assert.Same(dialog, table.Find(dialog.Id));
                table.FindForRequest(bye);
                if (i % 2 == 0) Assert.True(table.Terminate(dialog));
                else Assert.Equal(1, table.TerminateAll(owner));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.Equal(0, table.Count);
    }
}
