using Pbx.Sip.Auth;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Transactions;

/// <summary>The whole stack without sockets: a phone registers with digest auth against a registrar TU.</summary>
public class RegisterScenarioTests
{
    private sealed class OneUser : IDigestCredentialStore
    {
        public bool TryGetHa1(string username, string realm, DigestAlgorithm algorithm, out string ha1)
        {
            ha1 = DigestHash.ComputeHa1(algorithm, "phone", realm, "pw");
            return username == "phone";
        }
    }

    [Fact]
    public void Register_is_challenged_then_accepted()
    {
        using var stack = new TestStack();
        var auth = new DigestAuthenticator(new DigestOptions { ServerSecret = new byte[32] }, new OneUser(), stack.Clock);
        stack.PbxUser.Answer = tx =>
        {
            var check = auth.Verify(tx.Request, HeaderKind.Authorization, "pbx");
            return check.IsSuccess
                ? tx.SendResponse(200, "OK", "reg1", w => w.WriteHeader(HeaderKind.Contact, tx.Request.Contacts[0].Raw))
                : tx.SendResponse(401, "Unauthorized", "reg1", w => auth.WriteChallenges(w, "pbx", proxy: false, stale: check.Stale));
        };

        stack.Phone.SendRequest(TestStack.Request("REGISTER", "z9hG4bKreg1"), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(401, stack.PhoneUser.Responses.Single().Status);
        var challenge = stack.Network.History.Last(p => p.StartLine.Contains("401", StringComparison.Ordinal)).Text;
        Assert.Contains("WWW-Authenticate: Digest realm=\"pbx\"", challenge, StringComparison.Ordinal);

        string nonce = Between(challenge, "nonce=\"", "\"");
        string ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Sha256, "phone", "pbx", "pw");
        string response = DigestHash.ComputeResponse(DigestAlgorithm.Sha256, ha1, nonce, "00000001", "c1", "auth", "REGISTER", "sip:pbx@192.0.2.1");
        string authorization = $"Authorization: Digest username=\"phone\", realm=\"pbx\", nonce=\"{nonce}\", uri=\"sip:pbx@192.0.2.1\", response=\"{response}\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c1\"";
        var second = TestMessages.Text(TestStack.Request("REGISTER", "z9hG4bKreg2", cseq: 2)).Replace("Content-Length: 0", authorization + "\r\nContent-Length: 0", StringComparison.Ordinal);
        stack.Phone.SendRequest(System.Text.Encoding.UTF8.GetBytes(second), stack.ToPbx);
        stack.Run(TimeSpan.FromSeconds(1));

        Assert.Equal([401, 200], stack.PhoneUser.Responses.Select(r => r.Status));
        stack.Run(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(1));
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Equal(0, stack.Phone.ClientTransactionCount);
    }

    [Fact]
    public void A_stateless_challenge_keeps_no_transaction_and_a_retransmission_is_challenged_again()
    {
        using var stack = new TestStack();
        var auth = new DigestAuthenticator(new DigestOptions { ServerSecret = new byte[32] }, new OneUser(), stack.Clock);
        stack.PbxUser.AnswerStatelessly = (request, source) =>
        {
            if (request.TryGetHeader(HeaderKind.Authorization, out _)) return null;
            var buffer = new PooledBufferWriter(512);
            var writer = new SipMessageWriter(buffer);
            SipResponseFactory.WriteResponseStart(writer, request, 401, "Unauthorized"u8, "reg1"u8, source.Remote);
            auth.WriteChallenges(writer, "pbx", proxy: false);
            writer.WriteBody(default);
            return buffer;
        };

        // The phone's client transaction retransmits over UDP (Timer E) until the 401; each copy is answered alike.
        var register = TestStack.Request("REGISTER", "z9hG4bKstateless1");
        stack.Pbx.OnMessageReceived(register, new SipFlow(SipTransportKind.Udp, TestStack.PhoneAddress));
        stack.Pbx.OnMessageReceived(register, new SipFlow(SipTransportKind.Udp, TestStack.PhoneAddress));
        stack.Network.Deliver();

        Assert.Equal(2, stack.Network.History.Count(p => p.StartLine.Contains("401", StringComparison.Ordinal)));
        Assert.Equal(0, stack.Pbx.ServerTransactionCount);
        Assert.Equal(2, stack.Pbx.Counters.Stateless);
        Assert.Empty(stack.PbxUser.Requests);
    }

    [Fact]
    public async Task Transport_set_routes_by_kind()
    {
        using var stack = new TestStack();
        var set = new SipTransportSet(stack.PhoneTransport);
        await set.SendAsync(new SipFlow(SipTransportKind.Udp, TestStack.PbxAddress), "x"u8.ToArray());
        Assert.Single(stack.Network.History);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await set.SendAsync(new SipFlow(SipTransportKind.Tcp, TestStack.PbxAddress), "x"u8.ToArray()));
    }

    private static string Between(string s, string start, string end)
    {
        int i = s.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return s[i..s.IndexOf(end, i, StringComparison.Ordinal)];
    }
}
