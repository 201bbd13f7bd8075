using System.Diagnostics;
using System.Net;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.InMemory;

namespace Pbx.Sip.Tests.Bench;

/// <summary>Whole-stack round trips without sockets: client transaction -> server transaction -> 200 OK -> client.</summary>
internal static class TransactionBench
{
    private sealed class Answering : ISipTransactionUser
    {
        public long Responses;
        public void OnRequest(ServerTransaction transaction) => transaction.SendResponse(200, "OK", "b1");
        public void OnAck(SipMessage ack, SipFlow source) { }
        public void OnResponse(ClientTransaction transaction, SipMessage response) => Responses++;
        public void OnStrayResponse(SipMessage response, SipFlow source) { }
        public void OnTransactionTerminated(SipTransaction transaction) { }
    }

    private sealed class Lazy(Func<ISipTransport> get) : ISipSender
    {
        public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
            get().SendAsync(destination, message, cancellationToken);
    }

    public static void Run(double seconds)
    {
        var network = new InMemorySipNetwork { RecordHistory = false };
        var a = new IPEndPoint(IPAddress.Loopback, 5060);
        var b = new IPEndPoint(IPAddress.Loopback, 5062);
        var clientUser = new Answering();
        InMemorySipTransport? ta = null, tb = null;
        using var client = new SipTransactionLayer(new Lazy(() => ta!), clientUser);
        using var server = new SipTransactionLayer(new Lazy(() => tb!), new Answering());
        ta = network.CreateTransport(a, SipTransportKind.Tcp, client);
        tb = network.CreateTransport(b, SipTransportKind.Tcp, server);
        var destination = new SipFlow(SipTransportKind.Tcp, b);

        long n = 0;
        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 500; i++, n++)
            {
                client.SendRequest(Request(n), destination);
                network.Deliver();
            }
        }
        double elapsed = sw.Elapsed.TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
        if (clientUser.Responses != n) throw new InvalidOperationException($"{clientUser.Responses} responses for {n} requests");
        Console.WriteLine($"{"OPTIONS tx",-10} {"",6} {n / elapsed,12:N0} {"",8} {(double)allocated / n,12:N1}   (in-memory round trips/s, both stacks, TCP-like flow)");
    }

    private static byte[] Request(long n) => Encoding.ASCII.GetBytes(
        $"OPTIONS sip:b@127.0.0.1:5062 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK{n}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:a@127.0.0.1>;tag=a{n}\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: bench{n}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
}
