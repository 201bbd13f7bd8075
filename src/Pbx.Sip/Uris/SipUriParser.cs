using Pbx.Sip.Messages;

namespace Pbx.Sip.Uris;

/// <summary>Parses sip:, sips:, tel: and other absolute URIs (RFC 3261 §19.1.1, §25.1; RFC 3966).</summary>
internal static class SipUriParser
{
    public static bool TryParse(ReadOnlyMemory<byte> source, TextRange range, out SipUri uri)
    {
        uri = default;
        var s = source.Span;
        int start = range.Offset, end = range.End;
        if (range.Length == 0) return false;

        int colon = -1;
        for (int i = start; i < end; i++)
        {
            byte b = s[i];
            if (b == ':') { colon = i; break; }
            if (!SipChars.IsSchemeChar(b)) return false;
        }
        if (colon <= start || !SipChars.IsAlpha(s[start])) return false;

        var scheme = s[start..colon];
        UriScheme kind = System.Text.Ascii.EqualsIgnoreCase(scheme, "sip"u8) ? UriScheme.Sip
            : System.Text.Ascii.EqualsIgnoreCase(scheme, "sips"u8) ? UriScheme.Sips
            : System.Text.Ascii.EqualsIgnoreCase(scheme, "tel"u8) ? UriScheme.Tel
            : UriScheme.Other;

        return kind switch
        {
            UriScheme.Sip or UriScheme.Sips => TryParseSip(source, range, colon + 1, kind, out uri),
            UriScheme.Tel => TryParseTel(source, range, colon + 1, out uri),
            _ => TryParseOpaque(source, range, colon + 1, out uri),
        };
    }

    private static bool TryParseOpaque(ReadOnlyMemory<byte> source, TextRange range, int pos, out SipUri uri)
    {
        uri = default;
        var s = source.Span;
        if (pos >= range.End) return false;
        for (int i = pos; i < range.End; i++)
        {
            byte b = s[i];
            if (b <= ' ' || b >= 0x7F || b is (byte)'<' or (byte)'>' or (byte)'"') return false;
        }
        uri = new SipUri(source, range, UriScheme.Other, TextRange.Missing, TextRange.Missing, TextRange.Missing, 0,
            TextRange.Missing, TextRange.Missing);
        return true;
    }

    private static bool TryParseTel(ReadOnlyMemory<byte> source, TextRange range, int pos, out SipUri uri)
    {
        uri = default;
        var s = source.Span;
        int end = range.End;
        int semi = s[pos..end].IndexOf((byte)';');
        int numberEnd = semi < 0 ? end : pos + semi;
        if (numberEnd == pos) return false;
        for (int i = pos; i < numberEnd; i++)
        {
            byte b = s[i];
            if (!(SipChars.IsHex(b) || b is (byte)'+' or (byte)'-' or (byte)'.' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'#'
                || b == 'p' || b == 'P' || b == 'w' || b == 'W')) return false;
        }
        var parameters = TextRange.Missing;
        if (semi >= 0)
        {
            parameters = TextRange.FromBounds(numberEnd + 1, end);
            if (!ValidParameters(parameters.Of(s))) return false;
        }
        uri = new SipUri(source, range, UriScheme.Tel, TextRange.FromBounds(pos, numberEnd), TextRange.Missing,
            TextRange.Missing, 0, parameters, TextRange.Missing);
        return true;
    }

    private static bool TryParseSip(ReadOnlyMemory<byte> source, TextRange range, int pos, UriScheme kind, out SipUri uri)
    {
        uri = default;
        var s = source.Span;
        int end = range.End;
        var user = TextRange.Missing;
        var password = TextRange.Missing;

        // Only one unescaped '@' can occur in a valid SIP URI: the userinfo delimiter. The user part may hold ';' and '?'.
        int at = s[pos..end].IndexOf((byte)'@');
        if (at >= 0)
        {
            at += pos;
            int pw = s[pos..at].IndexOf((byte)':');
            int userEnd = pw < 0 ? at : pos + pw;
            if (userEnd == pos) return false;
            user = TextRange.FromBounds(pos, userEnd);
            if (!UriEscaping.IsValid(user.Of(s), SipChars.IsUserChar)) return false;
            if (pw >= 0)
            {
                password = TextRange.FromBounds(userEnd + 1, at);
                if (!UriEscaping.IsValid(password.Of(s), SipChars.IsPasswordChar)) return false;
            }
            pos = at + 1;
        }

        int hostStart = pos;
        if (pos < end && s[pos] == '[')
        {
            int close = s[pos..end].IndexOf((byte)']');
            if (close < 0) return false;
            pos += close + 1;
            for (int i = hostStart + 1; i < pos - 1; i++)
            {
                if (!(SipChars.IsHex(s[i]) || s[i] is (byte)':' or (byte)'.')) return false;
            }
            if (pos - hostStart < 4) return false;
        }
        else
        {
            while (pos < end && SipChars.IsHostChar(s[pos]) && s[pos] != ':' && s[pos] != '[' && s[pos] != ']') pos++;
            if (pos == hostStart || s[hostStart] is (byte)'-' or (byte)'.') return false;
        }
        var host = TextRange.FromBounds(hostStart, pos);

        int port = 0;
        if (pos < end && s[pos] == ':')
        {
            int portStart = ++pos;
            while (pos < end && SipChars.IsDigit(s[pos])) pos++;
            if (!Lws.TryParseUInt(s[portStart..pos], 65535, out ulong p) || pos - portStart > 5) return false;
            port = (int)p;
        }

        var parameters = TextRange.Missing;
        if (pos < end && s[pos] == ';')
        {
            int paramStart = ++pos;
            while (pos < end && s[pos] != '?') pos++;
            parameters = TextRange.FromBounds(paramStart, pos);
            if (!ValidParameters(parameters.Of(s))) return false;
        }

        var headers = TextRange.Missing;
        if (pos < end && s[pos] == '?')
        {
            headers = TextRange.FromBounds(pos + 1, end);
            if (!ValidHeaders(headers.Of(s))) return false;
            pos = end;
        }
        if (pos != end) return false;

        uri = new SipUri(source, range, kind, user, password, host, port, parameters, headers);
        return true;
    }

    private static bool ValidParameters(ReadOnlySpan<byte> p)
    {
        // uri-parameter = pname [ "=" pvalue ], both 1*paramchar: empty parameters (";;") are invalid.
        while (true)
        {
            int semi = p.IndexOf((byte)';');
            var one = semi < 0 ? p : p[..semi];
            int eq = one.IndexOf((byte)'=');
            var name = eq < 0 ? one : one[..eq];
            if (name.IsEmpty || !UriEscaping.IsValid(name, SipChars.IsParamChar)) return false;
            if (eq >= 0)
            {
                var value = one[(eq + 1)..];
                if (value.IsEmpty || !UriEscaping.IsValid(value, SipChars.IsParamChar)) return false;
            }
            if (semi < 0) return true;
            p = p[(semi + 1)..];
        }
    }

    private static bool ValidHeaders(ReadOnlySpan<byte> h)
    {
        while (true)
        {
            int amp = h.IndexOf((byte)'&');
            var one = amp < 0 ? h : h[..amp];
            int eq = one.IndexOf((byte)'=');
            if (eq <= 0) return false;
            if (!UriEscaping.IsValid(one[..eq], SipChars.IsHeaderChar) || !UriEscaping.IsValid(one[(eq + 1)..], SipChars.IsHeaderChar)) return false;
            if (amp < 0) return true;
            h = h[(amp + 1)..];
        }
    }
}
