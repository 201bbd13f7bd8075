using System.Net;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Transactions;

public class ServerTransactionTests
{
    private static readonly SipFlow FromPhone = new(SipTransportKind.Udp, TestStack.PhoneAddress);

    [Fact]
    public void Request_retransmissions_are_absorbed_then_answered_with_the_last_response()
    {
        using var stack = new TestStack();
        var options = TestStack.Request("OPTIONS", "z9hG4bKs1");
        stack.Pbx.OnMessageReceived(options, FromPhone);
        stack.Pbx.OnMessageReceived(options, FromPhone);
        var tx = Assert.Single(stack.PbxUser.Requests);
        Assert.Equal(TransactionState.Trying, tx.State);
        Assert.Equal(1, stack.Pbx.Counters.Absorbed);
        Assert.Empty(stack.Network.History);

        tx.SendResponse(200, "OK", "pbx1");
        stack.Pbx.OnMessageReceived(options, FromPhone);
        Assert.Single(stack.PbxUser.Requests);
        Assert.Equal(["SIP/2.0 200 OK", "SIP/2.0 200 OK"], stack.SentBy(TestStack.PbxAddress));
        Assert.Equal(TransactionState.Completed, tx.State);

        stack.Clock.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Equal(TerminationReason.Normal, tx.Reason);
    }

    [Fact]
    public void Invite_gets_100_trying_after_200ms_when_the_tu_is_silent()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestStack.Request("INVITE", "z9hG4bKs2"), FromPhone);
        stack.Clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Empty(stack.Network.History);
        stack.Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(["SIP/2.0 100 Trying"], stack.SentBy(TestStack.PbxAddress));
        // A retransmitted INVITE in Proceeding gets the last provisional again.
        stack.Pbx.OnMessageReceived(TestStack.Request("INVITE", "z9hG4bKs2"), FromPhone);
        Assert.Equal(2, stack.SentBy(TestStack.PbxAddress).Length);
    }

    [Fact]
    public void Invite_failure_is_retransmitted_with_timer_g_until_ack_then_confirmed_and_removed()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestStack.Request("INVITE", "z9hG4bKs3"), FromPhone);
        var tx = Assert.Single(stack.PbxUser.Requests);
        tx.SendResponse(486, "Busy Here", "pbx1");
        stack.Clock.Advance(TimeSpan.FromSeconds(3.6)); // G fires at 0.5, 1.5, 3.5
        Assert.Equal(4, stack.SentBy(TestStack.PbxAddress).Length);

        stack.Pbx.OnMessageReceived(TestStack.Request("ACK", "z9hG4bKs3"), FromPhone);
        Assert.Equal(TransactionState.Confirmed, tx.State);
        Assert.Empty(stack.PbxUser.Acks);
        stack.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, stack.SentBy(TestStack.PbxAddress).Length);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount); // Timer I (T4)
    }

    [Fact]
    public void Timer_h_ends_a_failure_that_is_never_acked()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestStack.Request("INVITE", "z9hG4bKs4"), FromPhone);
        var tx = Assert.Single(stack.PbxUser.Requests);
        tx.SendResponse(480, "Temporarily Unavailable", "pbx1");
        stack.Clock.Advance(TimeSpan.FromSeconds(33));
        Assert.Equal(TerminationReason.NoAck, tx.Reason);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        // G doubles to T2: 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 -> 10 retransmissions + the original.
        Assert.Equal(11, stack.SentBy(TestStack.PbxAddress).Length);
    }

    [Fact]
    public void Invite_2xx_accepted_absorbs_retransmissions_and_passes_ack_to_tu_until_timer_l()
    {
        using var stack = new TestStack();
        var invite = TestStack.Request("INVITE", "z9hG4bKs5");
        stack.Pbx.OnMessageReceived(invite, FromPhone);
        var tx = Assert.Single(stack.PbxUser.Requests);
        tx.SendResponse(200, "OK", "pbx1");
        Assert.Equal(TransactionState.Accepted, tx.State);
        stack.Pbx.OnMessageReceived(invite, FromPhone);
        Assert.Single(stack.SentBy(TestStack.PbxAddress));
        Assert.False(tx.SendResponse(486, "Busy Here"));

        stack.Pbx.OnMessageReceived(TestStack.Request("ACK", "z9hG4bKack5"), FromPhone);
        Assert.Single(stack.PbxUser.Acks);
        stack.Clock.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
    }

    [Fact]
    public void Responses_follow_rport_or_the_via_port()
    {
        using var stack = new TestStack();
        var natted = new SipFlow(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40000));
        stack.Pbx.OnMessageReceived(TestStack.Request("OPTIONS", "z9hG4bKr1"), natted);
        stack.Pbx.OnMessageReceived(TestStack.Request("OPTIONS", "z9hG4bKr2", viaExtra: ""), natted);
        var withRport = stack.PbxUser.Requests[0];
        var without = stack.PbxUser.Requests[1];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40000), withRport.ResponseDestination.Remote);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 5062), without.ResponseDestination.Remote);

        withRport.SendResponse(200, "OK", "t");
        var sent = stack.Network.History.Single();
        Assert.Equal(withRport.ResponseDestination.Remote, sent.To);
        Assert.Contains(";rport=40000;received=203.0.113.9", sent.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc2543_requests_match_by_the_fallback_key_rfc4475_inv2543_and_badbranch()
    {
        using var stack = new TestStack();
        var inv2543 = TestMessages.Torture("inv2543");
        stack.Pbx.OnMessageReceived(inv2543, FromPhone);
        stack.Pbx.OnMessageReceived(inv2543, FromPhone);
        var badbranch = TestMessages.Torture("badbranch");
        stack.Pbx.OnMessageReceived(badbranch, FromPhone);
        stack.Pbx.OnMessageReceived(badbranch, FromPhone);
        Assert.Equal(2, stack.PbxUser.Requests.Count);
        Assert.StartsWith("2543|", stack.PbxUser.Requests[0].Key, StringComparison.Ordinal);
        Assert.StartsWith("2543|", stack.PbxUser.Requests[1].Key, StringComparison.Ordinal);
        Assert.Equal(2, stack.Pbx.Counters.Absorbed);
    }

    [Fact]
    public void Malformed_request_gets_a_stateless_400_with_the_reason()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestMessages.Torture("mismatch01"), FromPhone);
        stack.Pbx.OnMessageReceived(TestMessages.Torture("bigcode"), FromPhone);
        stack.Pbx.OnMessageReceived("garbage\r\n\r\n"u8.ToArray(), FromPhone);
        Assert.Equal(["SIP/2.0 400 Bad Request - CSeq Method Mismatch"], stack.SentBy(TestStack.PbxAddress));
        Assert.Equal(3, stack.Pbx.Counters.Malformed);
        Assert.Empty(stack.PbxUser.Requests);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
    }

    [Fact]
    public void Cancel_finds_its_invite_transaction()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestStack.Request("INVITE", "z9hG4bKc1"), FromPhone);
        stack.Pbx.OnMessageReceived(TestStack.Request("CANCEL", "z9hG4bKc1"), FromPhone);
        Assert.Equal(2, stack.PbxUser.Requests.Count);
        var cancel = stack.PbxUser.Requests[1];
        Assert.Same(stack.PbxUser.Requests[0], stack.Pbx.FindInviteTransaction(cancel.Request));
    }

    [Fact]
    public void A_tu_that_never_answers_cannot_leak_the_transaction()
    {
        using var stack = new TestStack();
        stack.Pbx.OnMessageReceived(TestStack.Request("OPTIONS", "z9hG4bKl1"), FromPhone);
        stack.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(40));
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Contains(stack.SentBy(TestStack.PbxAddress), l => l.StartsWith("SIP/2.0 500", StringComparison.Ordinal));
    }

    [Fact]
    public void Many_calls_leave_no_transactions_or_timers_behind()
    {
        using var stack = new TestStack();
        var random = new Random(7);
        stack.PbxUser.Answer = tx =>
        {
            int[] codes = [200, 486, 404, 180];
            int code = codes[random.Next(codes.Length)];
            tx.SendResponse(code, "X", "pbx");
            return true;
        };
        for (int i = 0; i < 200; i++)
        {
            string method = i % 3 == 0 ? "OPTIONS" : "INVITE";
            stack.Phone.SendRequest(TestStack.Request(method, "z9hG4bKm" + i, callId: "c" + i), stack.ToPbx);
            stack.Run(TimeSpan.FromMilliseconds(200));
        }
        stack.Run(TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(1));
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Equal(200, stack.PhoneUser.Terminated.Count);
        Assert.Equal(200, stack.PbxUser.Terminated.Count);
        Assert.Equal(0, stack.Phone.ScheduledTimerCount);
        Assert.Equal(0, stack.Pbx.ScheduledTimerCount);
    }

    [Fact]
    public void Cancelled_timers_do_not_pile_up_under_load()
    {
        using var stack = new TestStack(SipTransportKind.Tcp);
        stack.PbxUser.Answer = tx => tx.SendResponse(200, "OK", "pbx");
        for (int i = 0; i < 6000; i++)
        {
            var request = TestMessages.Text(TestStack.Request("OPTIONS", "z9hG4bKload" + i, callId: "load" + i)).Replace("/UDP", "/TCP", StringComparison.Ordinal);
            stack.Phone.SendRequest(System.Text.Encoding.UTF8.GetBytes(request), stack.ToPbx);
            stack.Network.Deliver();
        }
        Assert.Equal(6000, stack.PhoneUser.Responses.Count);
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        // Each finished transaction left a cancelled Timer F / pending guard behind; compaction keeps the queues small.
        Assert.True(stack.Phone.ScheduledTimerCount < 4500, $"client timers: {stack.Phone.ScheduledTimerCount}");
        Assert.True(stack.Pbx.ScheduledTimerCount < 4500, $"server timers: {stack.Pbx.ScheduledTimerCount}");
    }
}
