namespace Pbx.Sip.Messages;

/// <summary>via-parm = sent-protocol LWS sent-by *( SEMI via-params ), with SWS around '/' and ':' (RFC 3261 §25.1).</summary>
internal static class ViaParser
{
    /// <summary>Parses one via-parm from range.Offset; stops at a top-level ',' or the range end.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> source, TextRange range, out SipVia via, out int next)
    {
        via = default;
        var s = source.Span;
        int end = range.End;
        int pos = Lws.Skip(s, range.Offset, end);
        next = pos;
        int start = pos;

        if (!ReadProtocolPart(s, ref pos, end, out var name) || !System.Text.Ascii.EqualsIgnoreCase(name.Of(s), "SIP"u8)) return false;
        if (!ExpectSlash(s, ref pos, end)) return false;
        if (!ReadProtocolPart(s, ref pos, end, out var version) || !version.Of(s).SequenceEqual("2.0"u8)) return false;
        if (!ExpectSlash(s, ref pos, end)) return false;
        if (!ReadProtocolPart(s, ref pos, end, out var transport)) return false;

        int afterTransport = pos;
        pos = Lws.Skip(s, pos, end);
        if (pos == afterTransport) return false;

        int hostStart = pos;
        if (pos < end && s[pos] == '[')
        {
            int close = s[pos..end].IndexOf((byte)']');
            if (close < 2) return false;
            pos += close + 1;
        }
        else
        {
            while (pos < end && SipChars.IsHostChar(s[pos]) && s[pos] is not ((byte)':' or (byte)'[' or (byte)']')) pos++;
        }
        if (pos == hostStart) return false;
        var host = TextRange.FromBounds(hostStart, pos);

        int port = 0;
        int afterHost = pos;
        pos = Lws.Skip(s, pos, end);
        if (pos < end && s[pos] == ':')
        {
            pos = Lws.Skip(s, pos + 1, end);
            int ps = pos;
            while (pos < end && SipChars.IsDigit(s[pos])) pos++;
            if (pos - ps > 5 || !Lws.TryParseUInt(s[ps..pos], 65535, out ulong p)) return false;
            port = (int)p;
            afterHost = pos;
            pos = Lws.Skip(s, pos, end);
        }

        var parameters = TextRange.Missing;
        TextRange branch = TextRange.Missing, received = TextRange.Missing, rport = TextRange.Missing;
        int valueEnd = afterHost;
        if (pos < end && s[pos] == ';')
        {
            parameters = NameAddressParser.ParseParameters(s, pos, end, out int after, out _);
            if (parameters.Offset == -2) return false;
            valueEnd = parameters.End;
            pos = after;
            FindKnownParameters(s, parameters, ref branch, ref received, ref rport);
        }
        if (pos < end && s[pos] != ',') return false;
        next = pos;
        via = new SipVia(source, TextRange.FromBounds(start, valueEnd), transport, host, port, parameters, branch, received, rport);
        return true;
    }

    private static bool ReadProtocolPart(ReadOnlySpan<byte> s, ref int pos, int end, out TextRange part)
    {
        int start = pos;
        pos = Lws.ReadToken(s, pos, end);
        part = TextRange.FromBounds(start, pos);
        return pos > start;
    }

    private static bool ExpectSlash(ReadOnlySpan<byte> s, ref int pos, int end)
    {
        pos = Lws.Skip(s, pos, end);
        if (pos >= end || s[pos] != '/') return false;
        pos = Lws.Skip(s, pos + 1, end);
        return true;
    }

    // Records where branch, received and rport values sit; a flag rport gets an empty range right after its name.
    private static void FindKnownParameters(ReadOnlySpan<byte> s, TextRange parameters, ref TextRange branch, ref TextRange received, ref TextRange rport)
    {
        int pos = parameters.Offset, end = parameters.End;
        while (pos < end)
        {
            pos = Lws.Skip(s, pos, end);
            int nameStart = pos;
            pos = Lws.ReadToken(s, pos, end);
            var name = s[nameStart..pos];
            int afterName = pos;
            pos = Lws.Skip(s, pos, end);
            var value = new TextRange(afterName, 0);
            if (pos < end && s[pos] == '=')
            {
                pos = Lws.Skip(s, pos + 1, end);
                int vs = pos;
                if (pos < end && s[pos] == '"')
                {
                    int q = Lws.ReadQuotedString(s, pos, end);
                    pos = q < 0 ? end : q;
                }
                else
                {
                    while (pos < end && s[pos] != ';' && !SipChars.IsWhitespace(s[pos]) && s[pos] is not ((byte)'\r' or (byte)'\n')) pos++;
                }
                value = TextRange.FromBounds(vs, pos);
            }
            if (System.Text.Ascii.EqualsIgnoreCase(name, "branch"u8)) branch = value;
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "received"u8)) received = value;
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "rport"u8)) rport = value;
            while (pos < end && s[pos] != ';') pos++;
            pos++;
        }
    }
}
