using Pbx.Telephony.Journal;

namespace Pbx.Calls.Tests.B2bua;

/// <summary>
/// In-process B2BUA scenarios: real transaction layer, routing and relay; SIP through a recording fake transport.
/// </summary>
public sealed class B2buaCallTests
{
    private static Func<SentMessage, bool> ResponseTo(Phone phone, OutgoingCall call, int status, string method = "INVITE") =>
        m => m.Flow == phone.Flow && m.Message.IsResponse && m.Message.CallId == call.CallId && m.Message.Status == status
             && m.Message.CSeqMethod == method;

    private static Func<SentMessage, bool> Request(Phone phone, string method, Func<SipText, bool>? also = null) =>
        m => m.Flow == phone.Flow && !m.Message.IsResponse && m.Message.Method == method && (also?.Invoke(m.Message) ?? true);

    /// <summary>alice (100) calls 101; bob's phone on <paramref name="bob"/> answers; returns the call and bob's INVITE.</summary>
    private static async Task<(OutgoingCall Call, SentMessage BobInvite, string BobTag)> Connect(B2buaHarness h, Phone alice, Phone bob,
        string number = "101")
    {
        var call = alice.Dial(number);
        var invite = await h.WaitFor(Request(bob, "INVITE"), "INVITE to the callee");
        const string bobTag = "bob-dialog-tag";
        bob.Respond(invite, 180, "Ringing", bobTag);
        bob.Respond(invite, 200, "OK", bobTag, SipBuilder.Sdp(bob.Login, bob.MediaPort, payloads: "0 101"));
        var ok = await h.WaitFor(ResponseTo(alice, call, 200), "200 OK to the caller");
        call.Confirm(ok);
        await h.WaitFor(Request(bob, "ACK"), "ACK to the callee's 200");
        return (call, invite, bobTag);
    }

    [Fact]
    public async Task Forks_to_every_binding_relays_ringing_and_answer_and_cancels_the_losing_fork()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob1 = h.AddPhone("bob", 5071);
        var bob2 = h.AddPhone("bob", 5072);

        var call = alice.Dial("101");
        await h.WaitFor(ResponseTo(alice, call, 100), "100 Trying");
        var invite1 = await h.WaitFor(Request(bob1, "INVITE"), "INVITE to bob's first phone");
        var invite2 = await h.WaitFor(Request(bob2, "INVITE"), "INVITE to bob's second phone");

        Assert.NotEqual(invite1.Message.CallId, invite2.Message.CallId);
        Assert.NotEqual(call.CallId, invite1.Message.CallId);
        Assert.NotEqual(call.CallId, invite2.Message.CallId);
        Assert.Equal("sip:bob@127.0.0.1:5071", invite1.Message.RequestUri);
        Assert.Equal("sip:bob@127.0.0.1:5072", invite2.Message.RequestUri);
        foreach (var invite in new[] { invite1.Message, invite2.Message })
        {
            Assert.Equal("100", invite.FromUser);
            Assert.Equal("127.0.0.1", invite.SdpAddress);
            Assert.NotNull(invite.SdpAudioPort);
            Assert.NotEqual(alice.MediaPort, invite.SdpAudioPort);
        }
        // Both forks carry the same offer: the callee side of one relay.
        Assert.Equal(invite1.Message.SdpAudioPort, invite2.Message.SdpAudioPort);
        var calleeRelayPort = invite1.Message.SdpAudioPort!.Value;

        bob1.Respond(invite1, 180, "Ringing", "bob1-tag");
        await h.WaitFor(ResponseTo(alice, call, 180), "180 Ringing to alice");
        await BobRingingEventually(h);

        bob2.Respond(invite2, 200, "OK", "bob2-tag", SipBuilder.Sdp("bob", bob2.MediaPort, payloads: "0 101"));
        var ok = await h.WaitFor(ResponseTo(alice, call, 200), "200 OK to alice");
        Assert.Equal("127.0.0.1", ok.Message.SdpAddress);
        var callerRelayPort = ok.Message.SdpAudioPort;
        Assert.NotNull(callerRelayPort);
        Assert.NotEqual(bob2.MediaPort, callerRelayPort);
        Assert.NotEqual(calleeRelayPort, callerRelayPort);
        Assert.NotNull(ok.Message.ToTag);

        var ack = await h.WaitFor(Request(bob2, "ACK"), "ACK to bob's 200");
        Assert.Equal(invite2.Message.CallId, ack.Message.CallId);
        Assert.Equal("bob2-tag", ack.Message.ToTag);

        var cancel = await h.WaitFor(Request(bob1, "CANCEL"), "CANCEL to the losing fork");
        Assert.Equal(invite1.Message.CallId, cancel.Message.CallId);
        Assert.Equal(invite1.Message.Headers("Via").First(), cancel.Message.Headers("Via").First());
        Assert.DoesNotContain(h.SentTo(bob2), m => m.Message.Method == "CANCEL" && !m.Message.IsResponse);

        call.Confirm(ok);
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("bob") == PartyActivity.OnThePhone, "bob on the phone");
        Assert.Equal(PartyActivity.OnThePhone, h.B2bua.Activity.Get("alice"));
        Assert.Equal(1, h.B2bua.ActiveCalls);
    }

    private static Task BobRingingEventually(B2buaHarness h) =>
        B2buaHarness.Eventually(() => h.B2bua.Activity.Get("bob") == PartyActivity.Ringing, "bob ringing");

    [Fact]
    public async Task Busy_on_every_binding_answers_486_and_journals_busy()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob1 = h.AddPhone("bob", 5071);
        var bob2 = h.AddPhone("bob", 5072);

        var call = alice.Dial("101");
        var invite1 = await h.WaitFor(Request(bob1, "INVITE"), "INVITE to bob's first phone");
        var invite2 = await h.WaitFor(Request(bob2, "INVITE"), "INVITE to bob's second phone");
        bob1.Respond(invite1, 486, "Busy Here", "b1");
        bob2.Respond(invite2, 486, "Busy Here", "b2");

        var busy = await h.WaitFor(ResponseTo(alice, call, 486), "486 to alice");
        call.AckFailure(busy.Message.ToTag!);
        // The B2BUA acknowledges the callee's failures itself (transaction layer, same branch).
        await h.WaitFor(Request(bob1, "ACK"), "ACK for bob1's 486");
        await h.WaitFor(Request(bob2, "ACK"), "ACK for bob2's 486");

        var rows = await h.WaitForJournal(call.CallId);
        var caller = Assert.Single(rows, r => r.UserLoginId == "alice");
        Assert.Equal(CallDirection.Outgoing, caller.Direction);
        Assert.Equal(CallResult.Busy, caller.Result);
        Assert.Equal("101", caller.RemoteNumber);
        var callee = Assert.Single(rows, r => r.UserLoginId == "bob");
        Assert.Equal(CallDirection.Incoming, callee.Direction);
        Assert.Equal(CallResult.Busy, callee.Result);
        Assert.Equal(2, rows.Count);

        await B2buaHarness.Eventually(() => h.B2bua.ActiveCalls == 0, "call forgotten");
        Assert.Equal(PartyActivity.Idle, h.B2bua.Activity.Get("alice"));
        Assert.Equal(PartyActivity.Idle, h.B2bua.Activity.Get("bob"));
        Assert.Equal([PartyActivity.OnThePhone, PartyActivity.Idle], h.Events.ActivityOf("alice"));
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    [Fact]
    public async Task Callee_without_registration_gets_480()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);

        var call = alice.Dial("103");
        var response = await h.WaitFor(m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.Status >= 200, "final response");
        Assert.Equal(480, response.Message.Status);
        call.AckFailure(response.Message.ToTag!);
        Assert.DoesNotContain(h.Sender.Snapshot(), m => !m.Message.IsResponse && m.Message.Method == "INVITE");
        var rows = await h.WaitForJournal(call.CallId);
        Assert.Contains(rows, r => r.UserLoginId == "dave" && r.Direction == CallDirection.Incoming);
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    [Fact]
    public async Task Number_without_owner_gets_404()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        h.AddPhone("bob", 5071);

        var call = alice.Dial("999");
        var response = await h.WaitFor(m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.Status >= 200, "final response");
        Assert.Equal(404, response.Message.Status);
        call.AckFailure(response.Message.ToTag!);
        Assert.DoesNotContain(h.Sender.Snapshot(), m => !m.Message.IsResponse && m.Message.Method == "INVITE");
        var rows = await h.WaitForJournal(call.CallId);
        var row = Assert.Single(rows);
        Assert.Equal("alice", row.UserLoginId);
        Assert.Equal(CallResult.Failed, row.Result);
    }

    [Fact]
    public async Task Offer_with_only_unsupported_codecs_gets_488_without_ringing_anyone()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        h.AddPhone("bob", 5071);

        var call = alice.Dial("101", SipBuilder.Sdp("alice", alice.MediaPort, payloads: "18"));
        var response = await h.WaitFor(m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.Status >= 200, "final response");
        Assert.Equal(488, response.Message.Status);
        call.AckFailure(response.Message.ToTag!);
        await h.WaitForJournal(call.CallId);
        Assert.DoesNotContain(h.Sender.Snapshot(), m => !m.Message.IsResponse && m.Message.Method == "INVITE");
        Assert.Equal(PartyActivity.Idle, h.B2bua.Activity.Get("alice"));
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    [Fact]
    public async Task Cancel_while_ringing_answers_487_and_cancels_every_fork()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob1 = h.AddPhone("bob", 5071);
        var bob2 = h.AddPhone("bob", 5072);

        var call = alice.Dial("101");
        var invite1 = await h.WaitFor(Request(bob1, "INVITE"), "INVITE to bob's first phone");
        var invite2 = await h.WaitFor(Request(bob2, "INVITE"), "INVITE to bob's second phone");
        bob1.Respond(invite1, 180, "Ringing", "b1");
        bob2.Respond(invite2, 180, "Ringing", "b2");
        await h.WaitFor(ResponseTo(alice, call, 180), "180 to alice");
        await BobRingingEventually(h);

        call.Cancel();
        await h.WaitFor(ResponseTo(alice, call, 200, "CANCEL"), "200 to the CANCEL");
        var terminated = await h.WaitFor(ResponseTo(alice, call, 487), "487 to the INVITE");
        call.AckFailure(terminated.Message.ToTag!);

        var cancel1 = await h.WaitFor(Request(bob1, "CANCEL"), "CANCEL to bob's first phone");
        var cancel2 = await h.WaitFor(Request(bob2, "CANCEL"), "CANCEL to bob's second phone");
        Assert.Equal(invite1.Message.CallId, cancel1.Message.CallId);
        Assert.Equal(invite2.Message.CallId, cancel2.Message.CallId);
        bob1.Respond(cancel1, 200, "OK", "b1");
        bob2.Respond(cancel2, 200, "OK", "b2");
        bob1.Respond(invite1, 487, "Request Terminated", "b1");
        bob2.Respond(invite2, 487, "Request Terminated", "b2");

        var rows = await h.WaitForJournal(call.CallId);
        Assert.Equal(CallResult.Missed, Assert.Single(rows, r => r.UserLoginId == "alice").Result);
        Assert.Equal(CallResult.Missed, Assert.Single(rows, r => r.UserLoginId == "bob").Result);
        Assert.DoesNotContain(h.Sender.Snapshot(), m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.Status == 200
            && m.Message.CSeqMethod == "INVITE");
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("bob") == PartyActivity.Idle, "bob idle");
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("alice") == PartyActivity.Idle, "alice idle");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    [Fact]
    public async Task Bye_from_caller_is_answered_and_passed_to_callee_and_ports_are_released()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var (call, bobInvite, bobTag) = await Connect(h, alice, bob);
        Assert.Equal(2, h.Allocator.InUseCount);

        var byeCSeq = call.Send("BYE");
        var ok = await h.WaitFor(m => ResponseTo(alice, call, 200, "BYE")(m) && m.Message.CSeq == byeCSeq, "200 to alice's BYE");
        var bye = await h.WaitFor(Request(bob, "BYE"), "BYE to bob");
        Assert.Equal(bobInvite.Message.CallId, bye.Message.CallId);
        Assert.Equal(bobTag, bye.Message.ToTag);
        bob.Respond(bye, 200, "OK");
        Assert.DoesNotContain(h.SentTo(alice), m => !m.Message.IsResponse && m.Message.Method == "BYE");

        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports back to the allocator");
        var rows = await h.WaitForJournal(call.CallId);
        Assert.Equal(CallResult.Answered, Assert.Single(rows, r => r.UserLoginId == "alice").Result);
        Assert.Equal(CallResult.Answered, Assert.Single(rows, r => r.UserLoginId == "bob").Result);
        Assert.Equal(0, h.B2bua.ActiveCalls);
        Assert.Equal(PartyActivity.Idle, h.B2bua.Activity.Get("alice"));
        Assert.Equal(PartyActivity.Idle, h.B2bua.Activity.Get("bob"));
        _ = ok;
    }

    [Fact]
    public async Task Bye_from_callee_is_passed_to_caller_and_ports_are_released()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var (call, bobInvite, bobTag) = await Connect(h, alice, bob);

        bob.SendInCalleeDialog(bobInvite, bobTag, "BYE", 1);
        await h.WaitFor(m => m.Flow == bob.Flow && m.Message.IsResponse && m.Message.Status == 200 && m.Message.CSeqMethod == "BYE",
            "200 to bob's BYE");
        var bye = await h.WaitFor(Request(alice, "BYE"), "BYE to alice");
        Assert.Equal(call.CallId, bye.Message.CallId);
        Assert.Equal(alice.Tag, bye.Message.ToTag);
        Assert.Equal(call.RemoteTag, bye.Message.FromTag);
        alice.Respond(bye, 200, "OK");
        Assert.DoesNotContain(h.SentTo(bob), m => !m.Message.IsResponse && m.Message.Method == "BYE");

        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports back to the allocator");
        await h.WaitForJournal(call.CallId);
        Assert.Equal(0, h.B2bua.ActiveCalls);
    }

    [Fact]
    public async Task Hold_and_resume_are_answered_by_the_b2bua_and_not_forwarded()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var (call, _, _) = await Connect(h, alice, bob);
        var sentToBobBefore = h.SentTo(bob).Count(m => !m.Message.IsResponse && m.Message.Method is "INVITE" or "UPDATE");

        var hold = call.Send("INVITE", SipBuilder.Sdp("alice", alice.MediaPort, "sendonly", version: 2), "application/sdp");
        var holdOk = await h.WaitFor(m => ResponseTo(alice, call, 200)(m) && m.Message.CSeq == hold, "200 to the hold re-INVITE");
        Assert.True(holdOk.Message.SdpHas("a=recvonly"), holdOk.Message.Text);
        Assert.Equal("127.0.0.1", holdOk.Message.SdpAddress);
        call.Ack(hold);
        await B2buaHarness.Eventually(() => h.B2bua.Snapshot().SingleOrDefault()?.OnHold == true, "call shown on hold");

        var resume = call.Send("INVITE", SipBuilder.Sdp("alice", alice.MediaPort, "sendrecv", version: 3), "application/sdp");
        var resumeOk = await h.WaitFor(m => ResponseTo(alice, call, 200)(m) && m.Message.CSeq == resume, "200 to the resume re-INVITE");
        Assert.False(resumeOk.Message.SdpHas("a=recvonly") || resumeOk.Message.SdpHas("a=sendonly") || resumeOk.Message.SdpHas("a=inactive"),
            resumeOk.Message.Text);
        call.Ack(resume);
        await B2buaHarness.Eventually(() => h.B2bua.Snapshot().SingleOrDefault()?.OnHold == false, "call shown off hold");

        await Task.Delay(200);
        Assert.Equal(sentToBobBefore, h.SentTo(bob).Count(m => !m.Message.IsResponse && m.Message.Method is "INVITE" or "UPDATE"));
        Assert.Equal(1, h.B2bua.ActiveCalls);
    }

    [Fact]
    public async Task Held_callee_hears_music_on_hold_from_the_relay()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5161);
        var bob = h.AddPhone("bob", 5171);
        using var bobMedia = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, bob.MediaPort));
        var (call, bobInvite, _) = await Connect(h, alice, bob);

        var hold = call.Send("INVITE", SipBuilder.Sdp("alice", alice.MediaPort, "sendonly", version: 2), "application/sdp");
        await h.WaitFor(m => ResponseTo(alice, call, 200)(m) && m.Message.CSeq == hold, "200 to the hold re-INVITE");
        call.Ack(hold);

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var packet = await bobMedia.ReceiveAsync(wait.Token);
        Assert.Equal(bobInvite.Message.SdpAudioPort, packet.RemoteEndPoint.Port);
        Assert.True(packet.Buffer.Length > 12);
        Assert.Equal(2, packet.Buffer[0] >> 6);
        Assert.Equal(0, packet.Buffer[1] & 0x7f); // PCMU, what bob answered
        Assert.Equal(172, packet.Buffer.Length); // 20 ms of G.711
    }

    [Fact]
    public async Task Answer_to_caller_is_retransmitted_until_acknowledged()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var call = alice.Dial("101");
        var invite = await h.WaitFor(Request(bob, "INVITE"), "INVITE to bob");
        bob.Respond(invite, 200, "OK", "bob-tag", SipBuilder.Sdp("bob", bob.MediaPort, payloads: "0 101"));
        var ok = await h.WaitFor(ResponseTo(alice, call, 200), "200 to alice");
        // T1 = 500 ms: the 2xx goes out again while alice's ACK is missing (RFC 3261 section 13.3.1.4).
        await B2buaHarness.Eventually(() => h.SentTo(alice).Count(m => ResponseTo(alice, call, 200)(m)) >= 2, "2xx retransmission",
            TimeSpan.FromSeconds(3));
        Assert.Equal(ok.Message.Text, h.SentTo(alice).Last(m => ResponseTo(alice, call, 200)(m)).Message.Text);

        // bob's 200 is retransmitted too (our ACK got lost): the same ACK goes out again.
        var firstAck = await h.WaitFor(Request(bob, "ACK"), "ACK to bob");
        bob.Respond(invite, 200, "OK", "bob-tag", SipBuilder.Sdp("bob", bob.MediaPort, payloads: "0 101"));
        await B2buaHarness.Eventually(() => h.SentTo(bob).Count(m => Request(bob, "ACK")(m)) == 2, "ACK resent");
        Assert.Equal(firstAck.Message.Text, h.SentTo(bob).Last(m => Request(bob, "ACK")(m)).Message.Text);

        call.Confirm(ok);
        await Task.Delay(300);
        var count = h.SentTo(alice).Count(m => ResponseTo(alice, call, 200)(m));
        await Task.Delay(2500);
        Assert.Equal(count, h.SentTo(alice).Count(m => ResponseTo(alice, call, 200)(m)));
        Assert.Equal(1, h.B2bua.ActiveCalls);
    }

    [Fact]
    public async Task Ring_timeout_cancels_the_callee_and_answers_480()
    {
        await using var h = new B2buaHarness(o => o.RingTimeout = TimeSpan.FromSeconds(1));
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);

        var call = alice.Dial("101");
        var invite = await h.WaitFor(Request(bob, "INVITE"), "INVITE to bob");
        bob.Respond(invite, 180, "Ringing", "bob-tag");
        await h.WaitFor(ResponseTo(alice, call, 180), "180 to alice");

        var final = await h.WaitFor(m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.CSeqMethod == "INVITE" && m.Message.Status >= 200,
            "final response after the ring time");
        Assert.Equal(480, final.Message.Status);
        call.AckFailure(final.Message.ToTag!);
        var cancel = await h.WaitFor(Request(bob, "CANCEL"), "CANCEL to bob");
        bob.Respond(cancel, 200, "OK", "bob-tag");
        bob.Respond(invite, 487, "Request Terminated", "bob-tag");

        var rows = await h.WaitForJournal(call.CallId);
        Assert.Equal(CallResult.Missed, Assert.Single(rows, r => r.UserLoginId == "alice").Result);
        Assert.Equal(CallResult.Missed, Assert.Single(rows, r => r.UserLoginId == "bob").Result);
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("bob") == PartyActivity.Idle, "bob idle");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    [Fact]
    public async Task Second_answer_that_loses_the_race_is_acknowledged_and_hung_up()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob1 = h.AddPhone("bob", 5071);
        var bob2 = h.AddPhone("bob", 5072);

        var call = alice.Dial("101");
        var invite1 = await h.WaitFor(Request(bob1, "INVITE"), "INVITE to bob's first phone");
        var invite2 = await h.WaitFor(Request(bob2, "INVITE"), "INVITE to bob's second phone");
        bob1.Respond(invite1, 200, "OK", "b1", SipBuilder.Sdp("bob", bob1.MediaPort, payloads: "0 101"));
        bob2.Respond(invite2, 200, "OK", "b2", SipBuilder.Sdp("bob", bob2.MediaPort, payloads: "0 101"));

        var ok = await h.WaitFor(ResponseTo(alice, call, 200), "200 to alice");
        call.Confirm(ok);
        await h.WaitFor(Request(bob1, "ACK"), "ACK to the winner");
        await h.WaitFor(Request(bob2, "ACK"), "ACK to the loser");
        var bye = await h.WaitFor(Request(bob2, "BYE"), "BYE to the loser");
        Assert.Equal("b2", bye.Message.ToTag);
        bob2.Respond(bye, 200, "OK");
        Assert.DoesNotContain(h.SentTo(bob1), m => !m.Message.IsResponse && m.Message.Method is "BYE" or "CANCEL");
        Assert.Single(h.SentTo(alice), m => ResponseTo(alice, call, 200)(m) && m.Index == ok.Index);
        Assert.Equal(1, h.B2bua.ActiveCalls);
        Assert.Equal(PartyActivity.OnThePhone, h.B2bua.Activity.Get("bob"));
    }

    [Fact]
    public async Task Reinvite_that_is_not_hold_is_relayed_to_the_other_party()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var (call, bobInvite, bobTag) = await Connect(h, alice, bob);

        var cseq = call.Send("INVITE", SipBuilder.Sdp("alice", alice.MediaPort + 2, version: 2), "application/sdp");
        var reinvite = await h.WaitFor(Request(bob, "INVITE", r => r.ToTag == bobTag), "re-INVITE to bob");
        Assert.Equal(bobInvite.Message.CallId, reinvite.Message.CallId);
        Assert.Equal("127.0.0.1", reinvite.Message.SdpAddress);
        Assert.Equal(bobInvite.Message.SdpAudioPort, reinvite.Message.SdpAudioPort);
        Assert.True(reinvite.Message.CSeq > bobInvite.Message.CSeq);
        bob.Respond(reinvite, 200, "OK", sdp: SipBuilder.Sdp("bob", bob.MediaPort, payloads: "0 101", version: 2));

        var ok = await h.WaitFor(m => ResponseTo(alice, call, 200)(m) && m.Message.CSeq == cseq, "200 to alice's re-INVITE");
        Assert.Equal("127.0.0.1", ok.Message.SdpAddress);
        Assert.NotEqual(bob.MediaPort, ok.Message.SdpAudioPort);
        await h.WaitFor(Request(bob, "ACK", r => r.CSeq == reinvite.Message.CSeq), "ACK to bob's re-INVITE answer");
        call.Ack(cseq);
    }

    [Fact]
    public async Task Session_timer_at_or_above_min_se_is_granted_with_the_caller_refreshing()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);

        var call = alice.Dial("101", null, ("Session-Expires", "120"), ("Supported", "timer"));
        var invite = await h.WaitFor(Request(bob, "INVITE"), "INVITE to bob");
        bob.Respond(invite, 200, "OK", "bob-tag", SipBuilder.Sdp("bob", bob.MediaPort, payloads: "0 101"));
        var ok = await h.WaitFor(ResponseTo(alice, call, 200), "200 to alice");
        Assert.Equal("120;refresher=uac", ok.Message.Header("Session-Expires"));
        Assert.Equal("timer", ok.Message.Header("Require"));
        call.Confirm(ok);
    }

    [Fact]
    public async Task Info_dtmf_is_relayed_and_raises_digit_received()
    {
        await using var h = new B2buaHarness();
        var digits = new System.Collections.Concurrent.ConcurrentQueue<(string CallId, string? Login, char Digit)>();
        h.B2bua.DigitReceived += (callId, login, digit) => digits.Enqueue((callId, login, digit));
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var (call, bobInvite, _) = await Connect(h, alice, bob);

        var cseq = call.Send("INFO", "Signal=5\r\nDuration=160\r\n", "application/dtmf-relay");
        var info = await h.WaitFor(Request(bob, "INFO"), "INFO to bob");
        Assert.Equal(bobInvite.Message.CallId, info.Message.CallId);
        Assert.StartsWith("application/dtmf-relay", info.Message.Header("Content-Type"));
        Assert.Contains("Signal=5", info.Message.Body);
        bob.Respond(info, 200, "OK");
        await h.WaitFor(m => ResponseTo(alice, call, 200, "INFO")(m) && m.Message.CSeq == cseq, "bob's 200 relayed to alice");

        await B2buaHarness.Eventually(() => !digits.IsEmpty, "DigitReceived");
        var digit = Assert.Single(digits);
        Assert.Equal('5', digit.Digit);
        Assert.Equal("alice", digit.Login);
        Assert.Equal(call.CallId, digit.CallId);
    }

    [Fact]
    public async Task Blind_transfer_from_callee_rings_the_target_and_reports_progress()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var carol = h.AddPhone("carol", 5081);
        var (call, bobInvite, bobTag) = await Connect(h, alice, bob);

        bob.SendInCalleeDialog(bobInvite, bobTag, "REFER", 1, extra: [("Refer-To", "<sip:102@192.0.2.1>"), ("Referred-By", "<sip:101@192.0.2.1>")]);
        await h.WaitFor(m => m.Flow == bob.Flow && m.Message.IsResponse && m.Message.CSeqMethod == "REFER" && m.Message.Status == 202,
            "202 to the REFER");
        var trying = await h.WaitFor(Request(bob, "NOTIFY"), "NOTIFY 100 Trying");
        Assert.Equal(bobInvite.Message.CallId, trying.Message.CallId);
        Assert.StartsWith("message/sipfrag", trying.Message.Header("Content-Type"));
        Assert.StartsWith("SIP/2.0 100 Trying", trying.Message.Body);
        Assert.StartsWith("refer", trying.Message.Header("Event"));
        bob.Respond(trying, 200, "OK");

        var carolInvite = await h.WaitFor(Request(carol, "INVITE"), "INVITE to carol");
        Assert.Equal("127.0.0.1", carolInvite.Message.SdpAddress);
        Assert.Equal(bobInvite.Message.SdpAudioPort, carolInvite.Message.SdpAudioPort);
        carol.Respond(carolInvite, 180, "Ringing", "carol-tag");
        carol.Respond(carolInvite, 200, "OK", "carol-tag", SipBuilder.Sdp("carol", carol.MediaPort, payloads: "0 101"));
        await h.WaitFor(Request(carol, "ACK"), "ACK to carol's 200");

        var done = await h.WaitFor(Request(bob, "NOTIFY", n => n.Body.StartsWith("SIP/2.0 200", StringComparison.Ordinal)), "NOTIFY 200 OK");
        Assert.StartsWith("SIP/2.0 200 OK", done.Message.Body);
        Assert.StartsWith("terminated", done.Message.Header("Subscription-State"));
        bob.Respond(done, 200, "OK");

        // bob hangs up his half; the call goes on between alice and carol.
        bob.SendInCalleeDialog(bobInvite, bobTag, "BYE", 2);
        await h.WaitFor(m => m.Flow == bob.Flow && m.Message.IsResponse && m.Message.CSeqMethod == "BYE" && m.Message.Status == 200,
            "200 to bob's BYE");
        Assert.DoesNotContain(h.SentTo(alice), m => !m.Message.IsResponse && m.Message.Method == "BYE");

        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("bob") == PartyActivity.Idle, "bob idle after the transfer");
        Assert.Equal(PartyActivity.OnThePhone, h.B2bua.Activity.Get("carol"));
        Assert.Equal(PartyActivity.OnThePhone, h.B2bua.Activity.Get("alice"));

        call.Send("BYE");
        var bye = await h.WaitFor(Request(carol, "BYE"), "BYE to carol");
        Assert.Equal(carolInvite.Message.CallId, bye.Message.CallId);
        Assert.Equal("carol-tag", bye.Message.ToTag);
        carol.Respond(bye, 200, "OK");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("carol") == PartyActivity.Idle, "carol idle");
    }

    /// <summary>bob, talking to alice, transfers her blind to 102; returns when carol's phone has the INVITE and rings.</summary>
    private static async Task<(OutgoingCall Call, SentMessage BobInvite, string BobTag, SentMessage CarolInvite)> StartBlindTransfer(
        B2buaHarness h, Phone alice, Phone bob, Phone carol)
    {
        var (call, bobInvite, bobTag) = await Connect(h, alice, bob);
        bob.SendInCalleeDialog(bobInvite, bobTag, "REFER", 1, extra: [("Refer-To", "<sip:102@192.0.2.1>")]);
        var trying = await h.WaitFor(Request(bob, "NOTIFY"), "NOTIFY 100 Trying");
        bob.Respond(trying, 200, "OK");
        var carolInvite = await h.WaitFor(Request(carol, "INVITE"), "INVITE to carol");
        carol.Respond(carolInvite, 180, "Ringing", "carol-tag");
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("carol") == PartyActivity.Ringing, "carol ringing");
        return (call, bobInvite, bobTag, carolInvite);
    }

    // Fails against the current src (known B2BUA bug): SipCall.Finish posts SipOutboundLeg.Cancel() to the call's queue but
    // calls leg.Release() at once, which disposes every fork's INVITE; the posted cancel then throws in
    // OutboundFork.SendCancel (ArgumentOutOfRangeException reading the disposed message), so no CANCEL goes out, and a late
    // 2xx throws in OutboundFork.OnSuccess and is never acknowledged. Kept asserting the correct behaviour.
    [Fact]
    public async Task Caller_hanging_up_during_blind_transfer_cancels_the_target()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var carol = h.AddPhone("carol", 5081);
        var (call, _, bobTag, carolInvite) = await StartBlindTransfer(h, alice, bob, carol);

        call.Send("BYE");
        await h.WaitFor(ResponseTo(alice, call, 200, "BYE"), "200 to alice's BYE");
        var bye = await h.WaitFor(Request(bob, "BYE"), "BYE to bob, still on the call");
        Assert.Equal(bobTag, bye.Message.ToTag);
        var cancel = await h.WaitFor(Request(carol, "CANCEL"), "CANCEL to the transfer target");
        Assert.Equal(carolInvite.Message.CallId, cancel.Message.CallId);
        carol.Respond(cancel, 200, "OK", "carol-tag");
        carol.Respond(carolInvite, 487, "Request Terminated", "carol-tag");
        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("carol") == PartyActivity.Idle, "carol idle");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "relay ports released");
    }

    // Fails against the current src (known B2BUA bug): SipCall.Finish posts SipOutboundLeg.Cancel() to the call's queue but
    // calls leg.Release() at once, which disposes every fork's INVITE; the posted cancel then throws in
    // OutboundFork.SendCancel (ArgumentOutOfRangeException reading the disposed message), so no CANCEL goes out, and a late
    // 2xx throws in OutboundFork.OnSuccess and is never acknowledged. Kept asserting the correct behaviour.
    [Fact]
    public async Task Transfer_target_answering_after_the_call_ended_is_acknowledged_and_hung_up()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var carol = h.AddPhone("carol", 5081);
        var (call, _, _, carolInvite) = await StartBlindTransfer(h, alice, bob, carol);

        call.Send("BYE");
        await h.WaitFor(Request(bob, "BYE"), "BYE to bob");
        await B2buaHarness.Eventually(() => h.B2bua.ActiveCalls == 0, "call ended");
        // carol picks up before any CANCEL reached her: her 2xx must still be acknowledged and the dialog ended.
        carol.Respond(carolInvite, 200, "OK", "carol-tag", SipBuilder.Sdp("carol", carol.MediaPort, payloads: "0 101"));
        await h.WaitFor(Request(carol, "ACK"), "ACK to carol's late 200");
        await h.WaitFor(m => Request(carol, "BYE")(m) || Request(carol, "CANCEL")(m), "BYE (or CANCEL) to carol");
    }

    // Fails against the current src (known B2BUA bug): SipCall.Finish posts SipOutboundLeg.Cancel() to the call's queue but
    // calls leg.Release() at once, which disposes every fork's INVITE; the posted cancel then throws in
    // OutboundFork.SendCancel (ArgumentOutOfRangeException reading the disposed message), so no CANCEL goes out, and a late
    // 2xx throws in OutboundFork.OnSuccess and is never acknowledged. Kept asserting the correct behaviour.
    [Fact]
    public async Task Shutdown_while_ringing_answers_503_and_cancels_the_callee()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var call = alice.Dial("101");
        var invite = await h.WaitFor(Request(bob, "INVITE"), "INVITE to bob");
        bob.Respond(invite, 180, "Ringing", "bob-tag");
        await h.WaitFor(ResponseTo(alice, call, 180), "180 to alice");

        await h.B2bua.HangUpAllAsync(TimeSpan.FromSeconds(2));
        var final = await h.WaitFor(ResponseTo(alice, call, 503), "503 to alice");
        call.AckFailure(final.Message.ToTag!);
        var cancel = await h.WaitFor(Request(bob, "CANCEL"), "CANCEL to the ringing callee");
        Assert.Equal(invite.Message.CallId, cancel.Message.CallId);
        Assert.Empty(h.Log.Errors);
    }

    [Fact]
    public async Task Unanswered_blind_transfer_reports_failure_and_leaves_the_call_with_the_transferrer()
    {
        await using var h = new B2buaHarness(o => o.TransferRecall = TimeSpan.FromSeconds(1));
        var alice = h.AddPhone("alice", 5061);
        var bob = h.AddPhone("bob", 5071);
        var carol = h.AddPhone("carol", 5081);
        var (call, _, _, carolInvite) = await StartBlindTransfer(h, alice, bob, carol);

        var cancel = await h.WaitFor(Request(carol, "CANCEL"), "CANCEL to the transfer target after the recall time");
        carol.Respond(cancel, 200, "OK", "carol-tag");
        carol.Respond(carolInvite, 487, "Request Terminated", "carol-tag");
        var failed = await h.WaitFor(Request(bob, "NOTIFY", n => !n.Body.StartsWith("SIP/2.0 100", StringComparison.Ordinal)), "final NOTIFY");
        Assert.StartsWith("SIP/2.0 480", failed.Message.Body);
        Assert.StartsWith("terminated", failed.Message.Header("Subscription-State"));
        bob.Respond(failed, 200, "OK");

        await B2buaHarness.Eventually(() => h.B2bua.Activity.Get("carol") == PartyActivity.Idle, "carol idle");
        Assert.Equal(1, h.B2bua.ActiveCalls);
        Assert.Equal(PartyActivity.OnThePhone, h.B2bua.Activity.Get("bob"));
        Assert.DoesNotContain(h.Sender.Snapshot(), m => !m.Message.IsResponse && m.Message.Method == "BYE");

        // The call is still alice's and bob's: alice's BYE reaches bob.
        call.Send("BYE");
        await h.WaitFor(Request(bob, "BYE"), "BYE to bob");
    }

    [Fact]
    public async Task Session_expires_below_min_se_gets_422_with_min_se()
    {
        await using var h = new B2buaHarness();
        var alice = h.AddPhone("alice", 5061);
        h.AddPhone("bob", 5071);

        var call = alice.Dial("101", null, ("Session-Expires", "60"), ("Supported", "timer"));
        var response = await h.WaitFor(m => m.Flow == alice.Flow && m.Message.IsResponse && m.Message.Status >= 200, "final response");
        Assert.Equal(422, response.Message.Status);
        Assert.Equal("90", response.Message.Header("Min-SE"));
        call.AckFailure(response.Message.ToTag!);
        await h.WaitForJournal(call.CallId);
        Assert.DoesNotContain(h.Sender.Snapshot(), m => !m.Message.IsResponse && m.Message.Method == "INVITE");
        await B2buaHarness.Eventually(() => h.Allocator.InUseCount == 0, "no relay ports held");
    }
}
