using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;

namespace Pbx.Sip.Tests.Dialogs;

/// <summary>
/// Alice (192.0.2.10) calls Bob through two record-routing proxies, 203.0.113.1 (Alice's side) and 203.0.113.2
/// (Bob's side). As Bob receives the INVITE, the Record-Route nearest to him is on top.
/// </summary>
internal static class DialogMessages
{
    public const string CallId = "call-1@192.0.2.10";
    public const string ProxyNearBob = "<sip:203.0.113.2;lr>";
    public const string ProxyNearAlice = "<sip:203.0.113.1;lr;ftag=alice1>";

    public static SipMessage Invite(params string[] recordRoutes) => Request("INVITE", 10, recordRoutes);

    public static SipMessage Request(string method, uint cseq, string[] recordRoutes, string? toTag = null,
        string contact = "<sip:alice@192.0.2.10:5062>", string requestUri = "sip:bob@example.com")
    {
        var text = new StringBuilder();
        text.Append($"{method} {requestUri} SIP/2.0\r\n");
        text.Append("Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa1;rport\r\n");
        foreach (var rr in recordRoutes) text.Append($"Record-Route: {rr}\r\n");
        text.Append("Max-Forwards: 70\r\n");
        text.Append("From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\n");
        text.Append(toTag is null ? "To: <sip:bob@example.com>\r\n" : $"To: <sip:bob@example.com>;tag={toTag}\r\n");
        text.Append($"Call-ID: {CallId}\r\nCSeq: {cseq} {method}\r\n");
        if (contact.Length > 0) text.Append($"Contact: {contact}\r\n");
        text.Append("Content-Length: 0\r\n\r\n");
        return TestMessages.ParseOk(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>A response to <see cref="Invite"/> as Alice receives it (Record-Route copied by Bob, in the same order).</summary>
    public static SipMessage Response(int status, string? toTag, string contact = "<sip:bob@198.51.100.20:5070>",
        string[]? recordRoutes = null, string method = "INVITE", uint cseq = 10)
    {
        var text = new StringBuilder();
        text.Append($"SIP/2.0 {status} Whatever\r\n");
        text.Append("Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa1;rport=5062\r\n");
        foreach (var rr in recordRoutes ?? []) text.Append($"Record-Route: {rr}\r\n");
        text.Append("From: \"Alice\" <sip:alice@example.com>;tag=alice1\r\n");
        text.Append(toTag is null ? "To: <sip:bob@example.com>\r\n" : $"To: <sip:bob@example.com>;tag={toTag}\r\n");
        text.Append($"Call-ID: {CallId}\r\nCSeq: {cseq} {method}\r\n");
        if (contact.Length > 0) text.Append($"Contact: {contact}\r\n");
        text.Append("Content-Length: 0\r\n\r\n");
        return TestMessages.ParseOk(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The request line and header lines of a built message.</summary>
    public static string[] Lines(PooledBufferWriter buffer)
    {
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
    }

    public static string[] Headers(PooledBufferWriter buffer, string name) =>
        Lines(buffer).Where(l => l.StartsWith(name + ": ", StringComparison.Ordinal)).ToArray();

    public static SipMessage Parse(PooledBufferWriter buffer) => TestMessages.ParseOk(buffer.ToArray());

    public static string Str(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
