using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Tests.B2bua;

/// <summary>
/// A SIP message as text, read with plain string handling so that the tests do not trust the parser of the stack
/// they exercise. Header names are matched case-insensitively, compact forms included.
/// </summary>
public sealed partial class SipText
{
    private static readonly Dictionary<string, string> Compact = new(StringComparer.OrdinalIgnoreCase)
    {
        ["i"] = "Call-ID", ["f"] = "From", ["t"] = "To", ["v"] = "Via", ["m"] = "Contact", ["c"] = "Content-Type",
        ["l"] = "Content-Length", ["k"] = "Supported", ["r"] = "Refer-To", ["o"] = "Event", ["x"] = "Session-Expires",
    };

    private readonly List<(string Name, string Value)> _headers = [];

    public SipText(string text)
    {
        Text = text;
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        Body = split < 0 ? "" : text[(split + 4)..];
        var lines = head.Split("\r\n");
        StartLine = lines[0];
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            if (Compact.TryGetValue(name, out var full)) name = full;
            _headers.Add((name, line[(colon + 1)..].Trim()));
        }
    }

    public string Text { get; }

    public string StartLine { get; }

    public string Body { get; }

    public bool IsResponse => StartLine.StartsWith("SIP/2.0 ", StringComparison.Ordinal);

    public int Status => IsResponse ? int.Parse(StartLine.Split(' ')[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>The request's method, or for a response the method of its CSeq.</summary>
    public string Method => IsResponse ? CSeqMethod : StartLine.Split(' ')[0];

    public string RequestUri => StartLine.Split(' ')[1];

    public string CallId => Header("Call-ID") ?? "";

    public uint CSeq => uint.Parse(Header("CSeq")!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);

    public string CSeqMethod => Header("CSeq")!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    public string? FromTag => TagOf(Header("From"));

    public string? ToTag => TagOf(Header("To"));

    public string? Header(string name) => _headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> Headers(string name) =>
        _headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The user part of the From URI (the number presented).</summary>
    public string? FromUser => UserOf(Header("From"));

    /// <summary>The audio port of the SDP body (first m=audio line).</summary>
    public int? SdpAudioPort => AudioPort().Match(Body) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    /// <summary>The connection address of the SDP body (first c= line).</summary>
    public string? SdpAddress => ConnectionAddress().Match(Body) is { Success: true } m ? m.Groups[1].Value : null;

    public bool SdpHas(string attribute) => Body.Split("\r\n").Any(line => line.Trim() == attribute);

    public override string ToString() => Text;

    private static string? TagOf(string? value) => value is not null && TagParameter().Match(value) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? UserOf(string? value) => value is not null && UriUser().Match(value) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^m=audio (\d+) ", RegexOptions.Multiline)]
    private static partial Regex AudioPort();

    [GeneratedRegex(@"^c=IN IP[46] (\S+)", RegexOptions.Multiline)]
    private static partial Regex ConnectionAddress();

    [GeneratedRegex(@";\s*tag=([^;>\s,]+)", RegexOptions.IgnoreCase)]
    private static partial Regex TagParameter();

    [GeneratedRegex(@"sips?:([^@;>]+)@", RegexOptions.IgnoreCase)]
    private static partial Regex UriUser();
}

/// <summary>One message the B2BUA handed to the transport, with the flow it went to.</summary>
public sealed record SentMessage(int Index, SipFlow Flow, SipText Message)
{
    public override string ToString() => $"#{Index} -> {Flow}: {Message.StartLine} ({Message.Header("CSeq")}, Call-ID {Message.CallId})";
}

/// <summary>Builds the text of requests and responses the test phones send.</summary>
public static class SipBuilder
{
    public static byte[] Bytes(string startLine, IEnumerable<(string Name, string Value)> headers, string? body = null, string? contentType = null)
    {
        var sb = new StringBuilder();
        sb.Append(startLine).Append("\r\n");
        foreach (var (name, value) in headers) sb.Append(name).Append(": ").Append(value).Append("\r\n");
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null) sb.Append("Content-Type: ").Append(contentType ?? "application/sdp").Append("\r\n");
        sb.Append("Content-Length: ").Append(bodyBytes.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        return [.. Encoding.UTF8.GetBytes(sb.ToString()), .. bodyBytes];
    }

    /// <summary>A phone's SDP offer or answer: PCMU, PCMA and telephone-event unless other payloads are given.</summary>
    public static string Sdp(string user, int port, string direction = "sendrecv", string payloads = "0 8 101", uint version = 1)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"v=0\r\no={user} 1000 {version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"m=audio {port} RTP/AVP {payloads}\r\n");
        foreach (var pt in payloads.Split(' '))
        {
            sb.Append(pt switch
            {
                "0" => "a=rtpmap:0 PCMU/8000\r\n",
                "8" => "a=rtpmap:8 PCMA/8000\r\n",
                "18" => "a=rtpmap:18 G729/8000\r\n",
                "101" => "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n",
                _ => "",
            });
        }
        sb.Append("a=").Append(direction).Append("\r\n");
        return sb.ToString();
    }
}
