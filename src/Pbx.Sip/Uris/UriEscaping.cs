using Pbx.Sip.Messages;

namespace Pbx.Sip.Uris;

/// <summary>%HH handling for URI components (RFC 3261 §19.1.2, §25.1 "escaped").</summary>
public static class UriEscaping
{
    /// <summary>Decodes %HH sequences; returns bytes written, or -1 if the input holds a broken escape.</summary>
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == '%')
            {
                if (i + 2 >= source.Length || !SipChars.IsHex(source[i + 1]) || !SipChars.IsHex(source[i + 2])) return -1;
                b = (byte)(SipChars.HexValue(source[i + 1]) << 4 | SipChars.HexValue(source[i + 2]));
                i += 2;
            }
            destination[written++] = b;
        }
        return written;
    }

    public static string UnescapeToString(ReadOnlySpan<byte> source)
    {
        byte[] buffer = new byte[source.Length];
        int n = Unescape(source, buffer);
        return n < 0 ? System.Text.Encoding.UTF8.GetString(source) : System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>True when every '%' is followed by two hex digits and every other byte satisfies <paramref name="allowed"/>.</summary>
    internal static bool IsValid(ReadOnlySpan<byte> s, Func<byte, bool> allowed)
    {
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == '%')
            {
                if (i + 2 >= s.Length || !SipChars.IsHex(s[i + 1]) || !SipChars.IsHex(s[i + 2])) return false;
                i += 2;
            }
            else if (!allowed(b))
            {
                return false;
            }
        }
        return true;
    }
}
