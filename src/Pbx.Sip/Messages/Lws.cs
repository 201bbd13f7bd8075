namespace Pbx.Sip.Messages;

/// <summary>Whitespace handling shared by all header parsers: LWS may contain a line fold (CRLF followed by SP/HTAB).</summary>
internal static class Lws
{
    /// <summary>Skips SP, HTAB and folds (CRLF or bare LF followed by SP/HTAB).</summary>
    public static int Skip(ReadOnlySpan<byte> s, int pos, int end)
    {
        while (pos < end)
        {
            byte b = s[pos];
            if (b is (byte)' ' or (byte)'\t')
            {
                pos++;
            }
            else if (b == '\r' && pos + 2 < end && s[pos + 1] == '\n' && SipChars.IsWhitespace(s[pos + 2]))
            {
                pos += 3;
            }
            else if (b == '\n' && pos + 1 < end && SipChars.IsWhitespace(s[pos + 1]))
            {
                pos += 2;
            }
            else
            {
                break;
            }
        }
        return pos;
    }

    /// <summary>Moves end back over trailing whitespace and folds.</summary>
    public static int TrimEnd(ReadOnlySpan<byte> s, int start, int end)
    {
        while (end > start && s[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }
        return end;
    }

    public static int ReadToken(ReadOnlySpan<byte> s, int pos, int end)
    {
        while (pos < end && SipChars.IsToken(s[pos])) pos++;
        return pos;
    }

    /// <summary>Reads a quoted string starting at the opening quote; returns the position after the closing quote or -1.</summary>
    public static int ReadQuotedString(ReadOnlySpan<byte> s, int pos, int end)
    {
        if (pos >= end || s[pos] != '"') return -1;
        pos++;
        while (pos < end)
        {
            byte b = s[pos];
            if (b == '"') return pos + 1;
            if (b == '\\')
            {
                if (pos + 1 >= end || s[pos + 1] is (byte)'\r' or (byte)'\n') return -1;
                pos += 2;
                continue;
            }
            if (b is (byte)'\r' or (byte)'\n')
            {
                int next = Skip(s, pos, end);
                if (next == pos) return -1;
                pos = next;
                continue;
            }
            pos++;
        }
        return -1;
    }

    /// <summary>Writes the content of a quoted string (without quotes) with quoted-pairs resolved.</summary>
    public static int Unquote(ReadOnlySpan<byte> quotedContent, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < quotedContent.Length; i++)
        {
            byte b = quotedContent[i];
            if (b == '\\' && i + 1 < quotedContent.Length)
            {
                b = quotedContent[++i];
            }
            destination[written++] = b;
        }
        return written;
    }

    public static bool TryParseUInt(ReadOnlySpan<byte> digits, ulong max, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty) return false;
        foreach (byte b in digits)
        {
            if (!SipChars.IsDigit(b)) return false;
            value = value * 10 + (ulong)(b - '0');
            if (value > max) return false;
        }
        return true;
    }
}
