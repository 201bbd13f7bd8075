using System.Globalization;

namespace Pbx.Media.Sdp;

/// <summary>Lexical rules shared by the parser and the typed attribute readers.</summary>
internal static class SdpText
{
    /// <summary>RFC 8866 §9 token-char.</summary>
    public static bool IsTokenChar(char c) =>
        c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D || c == 0x2E
        || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x5E && c <= 0x7E);

    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return false;
        foreach (var c in text)
        {
            if (!IsTokenChar(c)) return false;
        }
        return true;
    }

    /// <summary>Non-whitespace visible characters, as used for addresses and usernames.</summary>
    public static bool IsNonWhitespaceString(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return false;
        foreach (var c in text)
        {
            if (c <= 0x20 || c == 0x7F) return false;
        }
        return true;
    }

    public static bool TryParsePayloadType(ReadOnlySpan<char> text, out int payloadType) =>
        TryParseBoundedInt(text, 127, out payloadType);

    public static bool TryParsePort(ReadOnlySpan<char> text, out int port) =>
        TryParseBoundedInt(text, 65535, out port);

    public static bool TryParseBoundedInt(ReadOnlySpan<char> text, int max, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10) return false;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > max) return false;
        value = parsed;
        return true;
    }

    public static bool TryParseUInt64(ReadOnlySpan<char> text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>RFC 8866 typed-time: digits with an optional d/h/m/s unit, optionally negative for z= offsets.</summary>
    public static bool IsTypedTime(ReadOnlySpan<char> text, bool allowNegative)
    {
        if (allowNegative && text.Length > 0 && text[0] == '-') text = text[1..];
        if (text.Length > 0 && text[^1] is 'd' or 'h' or 'm' or 's') text = text[..^1];
        if (text.IsEmpty) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }
}
