using System.Net;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.InMemory;

namespace Pbx.Sip.Tests.Helpers;

/// <summary>Records what a transaction user sees; optionally answers requests.</summary>
public sealed class RecordingUser : ISipTransactionUser
{
    public List<ServerTransaction> Requests { get; } = [];
    public List<(ClientTransaction Tx, int Status)> Responses { get; } = [];
    public List<string> Acks { get; } = [];
    public List<int> Stray { get; } = [];
    public List<SipTransaction> Terminated { get; } = [];
    public Func<ServerTransaction, bool>? Answer { get; set; }
    public Func<SipMessage, SipFlow, PooledBufferWriter?>? AnswerStatelessly { get; set; }

    public PooledBufferWriter? TryRespondStatelessly(SipMessage request, SipFlow source) => AnswerStatelessly?.Invoke(request, source);

    public void OnRequest(ServerTransaction transaction)
    {
        Requests.Add(transaction);
        Answer?.Invoke(transaction);
    }

    public void OnAck(SipMessage ack, SipFlow source) => Acks.Add(ack.ToString());

    public void OnResponse(ClientTransaction transaction, SipMessage response) => Responses.Add((transaction, response.StatusCode));

    public void OnStrayResponse(SipMessage response, SipFlow source) => Stray.Add(response.StatusCode);

    public void OnTransactionTerminated(SipTransaction transaction) => Terminated.Add(transaction);
}

/// <summary>A phone and a PBX, each with its own transaction layer, on one in-memory network and one manual clock.</summary>
public sealed class TestStack : IDisposable
{
    public static readonly IPEndPoint PhoneAddress = new(IPAddress.Parse("192.0.2.10"), 5062);
    public static readonly IPEndPoint PbxAddress = new(IPAddress.Parse("192.0.2.1"), 5060);

    public TestStack(SipTransportKind kind = SipTransportKind.Udp)
    {
        Kind = kind;
        Phone = new SipTransactionLayer(new Forwarder(() => PhoneTransport!), PhoneUser, time: Clock);
        Pbx = new SipTransactionLayer(new Forwarder(() => PbxTransport!), PbxUser, time: Clock);
        PhoneTransport = Network.CreateTransport(PhoneAddress, kind, Phone);
        PbxTransport = Network.CreateTransport(PbxAddress, kind, Pbx);
    }

    public SipTransportKind Kind { get; }
    public ManualTimeProvider Clock { get; } = new();
    public InMemorySipNetwork Network { get; } = new();
    public RecordingUser PhoneUser { get; } = new();
    public RecordingUser PbxUser { get; } = new();
    public SipTransactionLayer Phone { get; }
    public SipTransactionLayer Pbx { get; }
    public InMemorySipTransport PhoneTransport { get; }
    public InMemorySipTransport PbxTransport { get; }

    public SipFlow ToPbx => new(Kind, PbxAddress);

    public void Run(TimeSpan duration, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(50);
        Network.Deliver();
        for (var t = TimeSpan.Zero; t < duration; t += s)
        {
            Clock.Advance(s);
            Network.Deliver();
        }
    }

    public static byte[] Request(string method, string branch, uint cseq = 1, string viaExtra = ";rport", string callId = "call-1")
    {
        string transport = "UDP";
        return TestMessages.Crlf($"""
            {method} sip:pbx@192.0.2.1 SIP/2.0
            Via: SIP/2.0/{transport} 192.0.2.10:5062;branch={branch}{viaExtra}
            Max-Forwards: 70
            From: <sip:phone@192.0.2.10>;tag=ph1
            To: <sip:pbx@192.0.2.1>
            Call-ID: {callId}
            CSeq: {cseq} {method}
            Contact: <sip:phone@192.0.2.10:5062>
            Content-Length: 0


            """);
    }

    public string[] SentBy(IPEndPoint from) => Network.History.Where(p => p.From.Equals(from)).Select(p => p.StartLine).ToArray();

    public void Dispose()
    {
        Phone.Dispose();
        Pbx.Dispose();
    }

    // The layer needs a transport and the transport needs the layer as receiver; this breaks the cycle.
    private sealed class Forwarder(Func<ISipTransport> target) : ISipTransport
    {
        public SipTransportKind Kind => target().Kind;
        public bool IsReliable => target().IsReliable;
        public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
            target().SendAsync(destination, message, cancellationToken);
    }


}
