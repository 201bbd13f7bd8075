using System.Text;
using Pbx.Calls.Sip;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Trunks;

/// <summary>
/// The SIP side of a trunk registration: REGISTER over the transaction layer with one Call-ID and a rising CSeq for
/// the life of the registration (RFC 3261 §10.2.4), answering one 401/407 per round with the trunk's credentials.
/// </summary>
internal sealed class SipRegisterClient(TrunkPeer peer, ISipLocalEndpoints endpoints, Func<SipTransactionLayer> layer) : IRegisterTransport
{
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(40);
    private readonly string _callId = SipIds.NewCallId();
    private readonly string _fromTag = SipIds.NewTag();
    private uint _cseq;

    private TrunkSettings Settings => peer.Settings;

    public async Task<RegisterResult> RegisterAsync(int expirySeconds, CancellationToken cancellation)
    {
        var flow = await peer.ResolveAsync(cancellation);
        (HeaderKind Kind, string Value)? credentials = null;
        for (var round = 0; ; round++)
        {
            var reply = await SendAsync(flow, expirySeconds, credentials, cancellation);
            if (reply.Status is 401 or 407 && round == 0 && reply.Challenge is { } challenge
                && DigestClient.Answer(challenge, "REGISTER", RequestUri, Settings.Username, Settings.Password, Settings.Realm) is { } answer)
            {
                credentials = (reply.Status == 401 ? HeaderKind.Authorization : HeaderKind.ProxyAuthorization, answer);
                continue;
            }
            return new RegisterResult(reply.Status, reply.Reason, reply.Status is >= 200 and < 300 ? reply.Granted ?? expirySeconds : 0);
        }
    }

    private string RequestUri => $"sip:{peer.Domain}";

    private string User => SipHeaderValues.UserPart(Settings.Username);

    private async Task<Reply> SendAsync(SipFlow flow, int expirySeconds, (HeaderKind Kind, string Value)? credentials, CancellationToken cancellation)
    {
        using var buffer = new PooledBufferWriter(1024);
        var w = new SipMessageWriter(buffer);
        var aor = $"<sip:{User}@{peer.Domain}>";
        w.WriteRequestLine(SipMethod.Register, Encoding.UTF8.GetBytes(RequestUri));
        w.WriteHeader(HeaderKind.Via, endpoints.Via(flow.Transport, SipIds.NewBranch()));
        w.WriteHeader(HeaderKind.MaxForwards, 70);
        w.WriteHeader(HeaderKind.From, $"{aor};tag={_fromTag}");
        w.WriteHeader(HeaderKind.To, aor);
        w.WriteHeader(HeaderKind.CallId, _callId);
        w.WriteCSeq(Interlocked.Increment(ref _cseq), "REGISTER"u8);
        w.WriteHeader(HeaderKind.Contact, TrunkContact.For(endpoints, flow.Transport, Settings.Username));
        w.WriteHeader(HeaderKind.Expires, expirySeconds);
        if (credentials is { } c) w.WriteHeader(c.Kind, c.Value);
        w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow);
        w.WriteHeader("User-Agent", SipHeaderValues.UserAgent);
        w.WriteBody([]);
        var pending = new PendingRegister(User);
        layer().SendRequest(buffer.WrittenMemory, flow, pending);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(AnswerLimit);
        try
        {
            return await pending.Answer.WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new Reply(408, "Request Timeout", null, null);
        }
    }

    private sealed record Reply(int Status, string Reason, byte[]? Challenge, int? Granted);

    /// <summary>Waits for the final answer of one REGISTER transaction; the layer makes 408/503 itself when none comes.</summary>
    private sealed class PendingRegister(string user) : IResponseHandler
    {
        private readonly TaskCompletionSource<Reply> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Reply> Answer => _answer.Task;

        public void OnResponse(ClientTransaction transaction, SipMessage response)
        {
            var status = response.StatusCode;
            if (status < 200) return;
            byte[]? challenge = null;
            if (response.TryGetHeader(status == 401 ? HeaderKind.WwwAuthenticate : HeaderKind.ProxyAuthenticate, out var value))
                challenge = value.ToArray();
            _answer.TrySetResult(new Reply(status, Encoding.UTF8.GetString(response.ReasonPhrase), challenge, Granted(response)));
        }

        /// <summary>The expires parameter of our Contact in the 2xx, else its Expires header (RFC 3261 §10.2.4).</summary>
        private int? Granted(SipMessage response)
        {
            foreach (var contact in response.Contacts)
            {
                if (!contact.Uri.User.SequenceEqual(Encoding.UTF8.GetBytes(user))) continue;
                if (contact.TryGetParameter("expires"u8, out var text) && int.TryParse(Encoding.ASCII.GetString(text), out var seconds)) return seconds;
            }
            if (response.TryGetHeader(HeaderKind.Expires, out var expires) && int.TryParse(Encoding.ASCII.GetString(expires), out var header)) return header;
            return null;
        }
    }
}

/// <summary>Our Contact towards a provider carries the account's username, so its INVITEs to it name the account.</summary>
internal static class TrunkContact
{
    public static string For(ISipLocalEndpoints endpoints, SipTransportKind transport, string username) =>
        endpoints.Contact(transport).Replace("<sip:pbx@", $"<sip:{SipHeaderValues.UserPart(username)}@", StringComparison.Ordinal);
}
