using System.Text;
using Pbx.Sip.Messages;

namespace Pbx.Sip.Tests.Helpers;

internal static class TestMessages
{
    public static byte[] Torture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475", name + ".dat"));

    public static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));

    public static SipMessage ParseOk(byte[] bytes)
    {
        var result = SipMessage.Parse(bytes);
        Assert.True(result.IsSuccess, result.ToString());
        return result.Message!;
    }

    public static SipMessage ParseOk(string text) => ParseOk(Crlf(text));

    public static string Str(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);

    public static string Text(byte[] data) => Encoding.UTF8.GetString(data);

    public const string Invite = """
        INVITE sip:bob@biloxi.example.com SIP/2.0
        Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport
        Max-Forwards: 70
        To: Bob <sip:bob@biloxi.example.com>
        From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com
        CSeq: 314159 INVITE
        Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>
        User-Agent: TestPhone/1.0
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS
        Content-Type: application/sdp
        Content-Length: 149

        v=0
        o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com
        s=-
        c=IN IP4 192.0.2.101
        t=0 0
        m=audio 49172 RTP/AVP 0
        a=rtpmap:0 PCMU/8000

        """;

    public const string Register = """
        REGISTER sip:registrar.biloxi.example.com SIP/2.0
        Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport
        Max-Forwards: 70
        To: Bob <sip:bob@biloxi.example.com>
        From: Bob <sip:bob@biloxi.example.com>;tag=456248
        Call-ID: 843817637684230@998sdasdh09
        CSeq: 1826 REGISTER
        Contact: <sip:bob@192.0.2.4>;expires=7200
        Expires: 7200
        Content-Length: 0


        """;
}
