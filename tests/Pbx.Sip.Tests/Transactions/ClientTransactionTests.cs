using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Transactions;

public class ClientTransactionTests
{
    private static List<double> SendTimes(TestStack stack, TimeSpan until)
    {
        var times = new List<double>();
        var start = stack.Clock.GetUtcNow();
        int seen = 0;
        void Check()
        {
            int count = stack.Network.History.Count(p => p.From.Equals(TestStack.PhoneAddress));
            for (; seen < count; seen++) times.Add(Math.Round((stack.Clock.GetUtcNow() - start).TotalSeconds, 2));
        }
        Check();
        for (var t = TimeSpan.Zero; t < until; t += TimeSpan.FromMilliseconds(50))
        {
            stack.Clock.Advance(TimeSpan.FromMilliseconds(50));
            Check();
        }
        return times;
    }

    [Fact]
    public void Invite_timer_a_doubles_and_timer_b_reports_408()
    {
        using var stack = new TestStack();
        stack.Network.Drop = _ => true;
        var tx = stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKa1"), stack.ToPbx);
        Assert.Equal(TransactionState.Calling, tx.State);

        var times = SendTimes(stack, TimeSpan.FromSeconds(33));

        // Intervals 0.5, 1, 2, 4, 8, 16 s; Timer B (64*T1 = 32 s) ends it.
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], times);
        Assert.Equal(408, Assert.Single(stack.PhoneUser.Responses).Status);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(TerminationReason.Timeout, tx.Reason);
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Same(tx, Assert.Single(stack.PhoneUser.Terminated));
    }

    [Fact]
    public void Non_invite_timer_e_caps_at_t2_and_timer_f_reports_408()
    {
        using var stack = new TestStack();
        stack.Network.Drop = _ => true;
        stack.Phone.SendRequest(TestStack.Request("OPTIONS", "z9hG4bKe1"), stack.ToPbx);

        var times = SendTimes(stack, TimeSpan.FromSeconds(33));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], times);
        Assert.Equal(408, Assert.Single(stack.PhoneUser.Responses).Status);
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
    }

    [Fact]
    public void Provisional_response_stops_invite_retransmissions()
    {
        using var stack = new TestStack();
        stack.PbxUser.Answer = tx => tx.SendResponse(180, "Ringing", "pbx1");
        stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKp1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(10));
        Assert.Single(stack.SentBy(TestStack.PhoneAddress));
        Assert.Equal(180, Assert.Single(stack.PhoneUser.Responses).Status);
        Assert.Equal(1, stack.Phone.ClientTransactionCount);
    }

    [Fact]
    public void Non_2xx_final_is_acked_by_the_client_transaction_and_both_sides_clean_up()
    {
        using var stack = new TestStack();
        stack.PbxUser.Answer = tx => tx.SendResponse(486, "Busy Here", "pbx1");
        var client = stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKb1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(["INVITE sip:pbx@192.0.2.1 SIP/2.0", "ACK sip:pbx@192.0.2.1 SIP/2.0"], stack.SentBy(TestStack.PhoneAddress));
        Assert.Equal(486, Assert.Single(stack.PhoneUser.Responses).Status);
        Assert.Equal(TransactionState.Completed, client.State);
        Assert.Empty(stack.PbxUser.Acks);

        stack.Run(TimeSpan.FromSeconds(33));
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Equal(TerminationReason.Normal, client.Reason);
    }

    [Fact]
    public void Lost_ack_makes_the_server_retransmit_and_the_client_acks_again_without_telling_the_tu()
    {
        using var stack = new TestStack();
        stack.PbxUser.Answer = tx => tx.SendResponse(603, "Decline", "pbx1");
        int acksDropped = 0;
        stack.Network.Drop = p => p.StartLine.StartsWith("ACK", StringComparison.Ordinal) && acksDropped++ == 0;
        stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKg1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(2, stack.SentBy(TestStack.PbxAddress).Count(l => l.Contains("603", StringComparison.Ordinal)));
        Assert.Equal(2, stack.SentBy(TestStack.PhoneAddress).Count(l => l.StartsWith("ACK", StringComparison.Ordinal)));
        Assert.Single(stack.PhoneUser.Responses);
    }

    [Fact]
    public void Invite_2xx_goes_to_accepted_and_retransmitted_2xx_reaches_the_tu_until_timer_m()
    {
        using var stack = new TestStack();
        stack.PbxUser.Answer = tx => tx.SendResponse(200, "OK", "pbx1");
        var client = stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKok1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(TransactionState.Accepted, client.State);
        var server = Assert.Single(stack.PbxUser.Requests);
        Assert.Equal(TransactionState.Accepted, server.State);

        // The TU (not the transaction) retransmits the 2xx (RFC 6026).
        Assert.True(server.SendResponse(200, "OK", "pbx1"));
        stack.Run(TimeSpan.FromSeconds(1));
        Assert.Equal([200, 200], stack.PhoneUser.Responses.Select(r => r.Status));
        Assert.DoesNotContain(stack.SentBy(TestStack.PhoneAddress), l => l.StartsWith("ACK", StringComparison.Ordinal));

        stack.Run(TimeSpan.FromSeconds(32));
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
    }

    [Fact]
    public void Response_with_two_vias_is_discarded_rfc4475_bcast()
    {
        using var stack = new TestStack();
        stack.Phone.OnMessageReceived(TestMessages.Torture("bcast"), new SipFlow(SipTransportKind.Udp, TestStack.PbxAddress));
        Assert.Equal(1, stack.Phone.Counters.Discarded);
        Assert.Empty(stack.PhoneUser.Stray);
    }

    [Fact]
    public void Reliable_transport_sends_once_and_ends_non_invite_at_once()
    {
        using var stack = new TestStack(SipTransportKind.Tcp);
        stack.PbxUser.Answer = tx => tx.SendResponse(200, "OK", "pbx1");
        var client = stack.Phone.SendRequest(TestMessages.Crlf(TestMessages.Text(TestStack.Request("OPTIONS", "z9hG4bKt1")).Replace("UDP", "TCP")), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));
        Assert.Single(stack.SentBy(TestStack.PhoneAddress));
        Assert.Equal(TransactionState.Terminated, client.State);
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
    }

    [Fact]
    public void Requests_need_an_rfc3261_branch()
    {
        using var stack = new TestStack();
        Assert.Throws<ArgumentException>(() => stack.Phone.SendRequest(TestStack.Request("OPTIONS", "oldstyle"), stack.ToPbx));
        Assert.Throws<ArgumentException>(() => stack.Phone.SendRequest(TestStack.Request("ACK", "z9hG4bKack"), stack.ToPbx));
    }

    [Fact]
    public void Cancel_ends_a_ringing_invite_with_487_and_the_client_acks_it()
    {
        using var stack = new TestStack();
        stack.PbxUser.Answer = tx =>
        {
            if (tx.Request.Method == SipMethod.Cancel)
            {
                var invite = stack.Pbx.FindInviteTransaction(tx.Request);
                tx.SendResponse(invite is null ? 481 : 200, invite is null ? "Call/Transaction Does Not Exist" : "OK");
                invite?.SendResponse(487, "Request Terminated", "pbx1");
                return true;
            }
            return tx.SendResponse(180, "Ringing", "pbx1");
        };
        var invite = stack.Phone.SendRequest(TestStack.Request("INVITE", "z9hG4bKcan1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));

        using var buffer = new PooledBufferWriter();
        SipRequestFactory.WriteCancel(new SipMessageWriter(buffer), invite.Request);
        var cancel = stack.Phone.SendRequest(buffer.ToArray(), stack.ToPbx);
        Assert.Equal(invite.Request.TopVia.BranchString, cancel.Request.TopVia.BranchString);
        Assert.Equal(SipMethod.Cancel, cancel.Request.CSeq.Method);
        stack.Run(TimeSpan.FromSeconds(1));

        Assert.Equal([180, 200, 487], stack.PhoneUser.Responses.Select(r => r.Status).Order());
        Assert.Contains(stack.SentBy(TestStack.PhoneAddress), l => l.StartsWith("ACK", StringComparison.Ordinal));
        stack.Run(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(1));
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
    }
}
