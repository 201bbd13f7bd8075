using Pbx.Sip.Uris;

namespace Pbx.Sip.Messages;

internal enum ValueStatus : byte
{
    Ok,
    Malformed,
    UriTooLong,
}

/// <summary>Parses one name-addr / addr-spec value with its header parameters (RFC 3261 §25.1 from-spec, contact-param).</summary>
internal static class NameAddressParser
{
    public static bool TryParse(ReadOnlyMemory<byte> source, TextRange range, out NameAddress value, out int next) =>
        Parse(source, range, int.MaxValue, allowWildcard: false, out value, out next) == ValueStatus.Ok;

    /// <summary>Parses from range.Offset; stops at a top-level ',' or range end (returned in <paramref name="next"/>).</summary>
    public static ValueStatus Parse(ReadOnlyMemory<byte> source, TextRange range, int maxUriLength, bool allowWildcard,
        out NameAddress value, out int next)
    {
        value = default;
        var s = source.Span;
        int end = range.End;
        int pos = Lws.Skip(s, range.Offset, end);
        next = pos;
        int valueStart = pos;
        if (pos >= end) return ValueStatus.Malformed;

        var display = TextRange.Missing;
        bool quoted = false;
        bool bracketed;
        TextRange uriRange;

        if (allowWildcard && s[pos] == '*')
        {
            int afterStar = Lws.Skip(s, pos + 1, end);
            if (afterStar >= end || s[afterStar] is (byte)';' or (byte)',')
            {
                var p = ParseParameters(s, afterStar, end, out int paramEnd, out var tagW);
                if (p.Offset == -2) return ValueStatus.Malformed;
                next = paramEnd;
                value = new NameAddress(source, TextRange.FromBounds(valueStart, Lws.TrimEnd(s, valueStart, paramEnd)), TextRange.Missing,
                    false, default, false, p, tagW, wildcard: true);
                return ValueStatus.Ok;
            }
        }

        if (s[pos] == '"')
        {
            int close = Lws.ReadQuotedString(s, pos, end);
            if (close < 0) return ValueStatus.Malformed;
            display = TextRange.FromBounds(pos + 1, close - 1);
            quoted = true;
            pos = Lws.Skip(s, close, end);
            if (pos >= end || s[pos] != '<') return ValueStatus.Malformed;
        }
        else if (s[pos] != '<')
        {
            // Either display-name tokens followed by '<', or an addr-spec.
            int scan = pos;
            while (scan < end)
            {
                if (SipChars.IsToken(s[scan]))
                {
                    scan++;
                    continue;
                }
                int skipped = Lws.Skip(s, scan, end);
                if (skipped == scan) break;
                scan = skipped;
            }
            if (scan < end && s[scan] == '<')
            {
                display = TextRange.FromBounds(pos, Lws.TrimEnd(s, pos, scan));
                pos = scan;
            }
        }

        if (s[pos] == '<')
        {
            int close = s[pos..end].IndexOf((byte)'>');
            if (close < 0) return ValueStatus.Malformed;
            uriRange = TextRange.FromBounds(pos + 1, pos + close);
            pos += close + 1;
            bracketed = true;
        }
        else
        {
            // addr-spec: the URI ends at LWS, ';' or ','. Its own parameters would be header parameters (§20.10),
            // and it may not carry URI headers ('?'); regbadct (RFC 4475 §3.1.2.15) is rejected here.
            int uriStart = pos;
            while (pos < end && !SipChars.IsWhitespace(s[pos]) && s[pos] is not ((byte)';' or (byte)',' or (byte)'\r' or (byte)'\n')) pos++;
            uriRange = TextRange.FromBounds(uriStart, pos);
            if (uriRange.Of(s).Contains((byte)'?')) return ValueStatus.Malformed;
            bracketed = false;
        }

        if (uriRange.Length > maxUriLength) return ValueStatus.UriTooLong;
        if (!SipUriParser.TryParse(source, uriRange, out var uri)) return ValueStatus.Malformed;

        pos = Lws.Skip(s, pos, end);
        var parameters = ParseParameters(s, pos, end, out int after, out var tag);
        if (parameters.Offset == -2) return ValueStatus.Malformed;
        next = after;
        value = new NameAddress(source, TextRange.FromBounds(valueStart, Lws.TrimEnd(s, valueStart, after)), display, quoted, uri,
            bracketed, parameters, tag, wildcard: false);
        return ValueStatus.Ok;
    }

    /// <summary>
    /// Parses *( SEMI generic-param ) from pos; stops at a top-level ',' or end.
    /// Returns the raw parameter range (Missing if none; Offset -2 when malformed) and the tag value if present.
    /// </summary>
    internal static TextRange ParseParameters(ReadOnlySpan<byte> s, int pos, int end, out int next, out TextRange tag)
    {
        tag = TextRange.Missing;
        next = pos;
        var bad = new TextRange(-2, 0);
        if (pos >= end || s[pos] == ',') return TextRange.Missing;
        if (s[pos] != ';') return bad;
        int start = pos + 1;
        int lastEnd = start;
        while (pos < end && s[pos] == ';')
        {
            pos = Lws.Skip(s, pos + 1, end);
            int nameStart = pos;
            pos = Lws.ReadToken(s, pos, end);
            if (pos == nameStart) return bad;
            var name = s[nameStart..pos];
            int afterName = pos;
            pos = Lws.Skip(s, pos, end);
            TextRange paramValue = TextRange.Missing;
            if (pos < end && s[pos] == '=')
            {
                pos = Lws.Skip(s, pos + 1, end);
                int vs = pos;
                if (pos < end && s[pos] == '"')
                {
                    int q = Lws.ReadQuotedString(s, pos, end);
                    if (q < 0) return bad;
                    pos = q;
                }
                else
                {
                    // gen-value = token / host / quoted-string; IPv6 references need '[', ']' and ':'.
                    while (pos < end && (SipChars.IsToken(s[pos]) || s[pos] is (byte)'[' or (byte)']' or (byte)':')) pos++;
                }
                if (pos == vs) return bad;
                paramValue = TextRange.FromBounds(vs, pos);
                lastEnd = pos;
                pos = Lws.Skip(s, pos, end);
            }
            else
            {
                lastEnd = afterName;
            }
            if (!tag.IsPresent && paramValue.IsPresent && System.Text.Ascii.EqualsIgnoreCase(name, "tag"u8))
            {
                tag = paramValue;
            }
        }
        if (pos < end && s[pos] != ',') return bad;
        next = pos;
        return TextRange.FromBounds(start, lastEnd);
    }
}
