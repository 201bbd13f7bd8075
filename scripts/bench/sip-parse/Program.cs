using System.Diagnostics;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Bench;

// Messages parsed per second and bytes allocated per message for a typical REGISTER and INVITE.
// Usage: dotnet run -c Release --project scripts/bench/sip-parse [-- seconds-per-case]
double seconds = args.Length > 0 && double.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 3;

var cases = new (string Name, byte[] Bytes)[]
{
    ("REGISTER", Crlf("""
        REGISTER sip:registrar.example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport
        Max-Forwards: 70
        To: Bob <sip:bob@example.com>
        From: Bob <sip:bob@example.com>;tag=456248
        Call-ID: 843817637684230@998sdasdh09
        CSeq: 1826 REGISTER
        Contact: <sip:bob@192.0.2.4:5060;transport=udp>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"
        User-Agent: Yealink SIP-T46U 108.86.0.45
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, SUBSCRIBE, UPDATE, MESSAGE
        Supported: path, gruu, outbound
        Authorization: Digest username="bob", realm="example.com", nonce="AAABk2xvx0Aa1b2c3d4e5f60718293a4b5c6d7e8f90", uri="sip:registrar.example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001
        Expires: 3600
        Content-Length: 0


        """)),
    ("INVITE", Crlf("""
        INVITE sip:bob@biloxi.example.com SIP/2.0
        Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport
        Max-Forwards: 70
        To: Bob <sip:bob@biloxi.example.com>
        From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com
        CSeq: 314159 INVITE
        Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE
        Supported: replaces, timer, 100rel
        Session-Expires: 1800
        User-Agent: Linphone/5.2
        Content-Type: application/sdp
        Content-Length: 241

        v=0
        o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com
        s=-
        c=IN IP4 192.0.2.101
        t=0 0
        m=audio 49172 RTP/AVP 0 8 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=sendrecv

        """)),
};

Console.WriteLine($"Pbx.Sip parse benchmark, {seconds:0.#} s per case, .NET {Environment.Version}, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"message",-10} {"bytes",6} {"msgs/s",12} {"MB/s",8} {"alloc B/msg",12}");
foreach (var (name, bytes) in cases)
{
    var check = SipMessage.Parse(bytes);
    if (!check.IsSuccess) throw new InvalidOperationException($"{name}: {check}");
    check.Message!.Dispose();

    Run(bytes, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)));
    long allocBefore = GC.GetAllocatedBytesForCurrentThread();
    var (count, elapsed) = Run(bytes, TimeSpan.FromSeconds(seconds));
    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;

    double rate = count / elapsed.TotalSeconds;
    Console.WriteLine($"{name,-10} {bytes.Length,6} {rate,12:N0} {rate * bytes.Length / 1e6,8:N1} {(double)allocated / count,12:N1}");
}

TransactionBench.Run(seconds);

static (long Count, TimeSpan Elapsed) Run(byte[] bytes, TimeSpan duration)
{
    long count = 0;
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed < duration)
    {
        for (int i = 0; i < 1000; i++)
        {
            var result = SipMessage.Parse(bytes);
            var m = result.Message!;
            // Touch what a proxy/registrar reads on every message.
            if (m.TopVia.Branch.IsEmpty || m.CSeq.Number == 0 || m.From.Tag.IsEmpty) throw new InvalidOperationException();
            m.Dispose();
        }
        count += 1000;
    }
    return (count, sw.Elapsed);
}

static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));
