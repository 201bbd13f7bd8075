using Pbx.Sip.Uris;

namespace Pbx.Sip.Messages;

/// <summary>
/// Request-Line / Status-Line (RFC 3261 §7.1, §7.2). A line that is neither is dropped; a recognisable request
/// with a bad element yields an error the caller can answer (400/414/505) once the headers are framed.
/// </summary>
internal static class StartLineParser
{
    public static SipParseResult Parse(ReadOnlyMemory<byte> source, int lineEnd, SipParseOptions options, SipMessage msg)
    {
        var s = source.Span;
        var line = s[..lineEnd];
        if (line.Length >= 4 && System.Text.Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8)) return ParseStatusLine(line, msg);
        return ParseRequestLine(source, line, options, msg);
    }

    private static SipParseResult ParseStatusLine(ReadOnlySpan<byte> line, SipMessage msg)
    {
        int sp = line.IndexOf((byte)' ');
        if (sp < 0 || !IsVersion20(line[..sp])) return Drop("Bad status line");
        var rest = line[(sp + 1)..];
        if (rest.Length < 3 || !SipChars.IsDigit(rest[0]) || !SipChars.IsDigit(rest[1]) || !SipChars.IsDigit(rest[2])) return Drop("Bad status code");
        if (rest.Length > 3 && rest[3] != ' ') return Drop("Bad status code");
        int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (code is < 100 or > 699) return Drop("Status code out of range");
        foreach (byte b in rest)
        {
            if (b < 0x20 && b != '\t') return Drop("Control character in reason phrase");
        }
        msg.IsRequest = false;
        msg.StatusCode = code;
        int reasonStart = sp + 1 + Math.Min(4, rest.Length);
        msg.ReasonRange = TextRange.FromBounds(reasonStart, line.Length);
        return SipParseResult.Ok(msg);
    }

    private static SipParseResult ParseRequestLine(ReadOnlyMemory<byte> source, ReadOnlySpan<byte> line, SipParseOptions options, SipMessage msg)
    {
        int sp = line.IndexOf((byte)' ');
        if (sp <= 0 || !SipChars.IsTokenSpan(line[..sp])) return Drop("Bad request line");
        int lastSp = line.LastIndexOf((byte)' ');
        var trimmed = line.TrimEnd((byte)' ');
        int versionStart = trimmed.LastIndexOf((byte)' ') + 1;
        var version = trimmed[versionStart..];
        if (version.Length < 5 || !System.Text.Ascii.EqualsIgnoreCase(version[..4], "SIP/"u8)) return Drop("Bad request line");

        msg.IsRequest = true;
        msg.MethodRange = new TextRange(0, sp);
        msg.Method = SipMethods.Lookup(line[..sp]);
        if (!IsVersion20(version))
        {
            return IsVersionSyntax(version)
                ? new SipParseResult(SipParseError.UnsupportedVersion, "SIP Version Not Supported", msg)
                : Drop("Bad SIP version");
        }
        if (lastSp != versionStart - 1 || versionStart - 1 <= sp)
        {
            return new SipParseResult(SipParseError.Malformed, "Bad Request - Malformed Request-Line", msg);
        }
        var uriRange = TextRange.FromBounds(sp + 1, versionStart - 1);
        if (uriRange.Length > options.MaxUriLength) return new SipParseResult(SipParseError.UriTooLong, "Request-URI Too Long", msg);
        if (!SipUriParser.TryParse(source, uriRange, out var uri)) return new SipParseResult(SipParseError.Malformed, "Bad Request - Malformed Request-URI", msg);
        msg.RequestUri = uri;
        // Headers are not allowed in a Request-URI (RFC 3261 §19.1.5); RFC 4475 §3.1.2.10 escruri.
        if (uri.HasHeaders) return new SipParseResult(SipParseError.Malformed, "Bad Request - Headers In Request-URI", msg);
        return SipParseResult.Ok(msg);
    }

    private static bool IsVersion20(ReadOnlySpan<byte> v) =>
        v.Length == 7 && System.Text.Ascii.EqualsIgnoreCase(v[..4], "SIP/"u8) && v[4..].SequenceEqual("2.0"u8);

    private static bool IsVersionSyntax(ReadOnlySpan<byte> v)
    {
        var n = v[4..];
        int dot = n.IndexOf((byte)'.');
        if (dot <= 0 || dot == n.Length - 1) return false;
        foreach (byte b in n)
        {
            if (b != '.' && !SipChars.IsDigit(b)) return false;
        }
        return true;
    }

    private static SipParseResult Drop(string reason) => SipMessageParser.Fail(SipParseError.Drop, reason);
}
