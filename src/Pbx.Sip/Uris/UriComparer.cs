using Pbx.Sip.Messages;

namespace Pbx.Sip.Uris;

/// <summary>RFC 3261 §19.1.4 URI comparison.</summary>
internal static class UriComparer
{
    private static ReadOnlySpan<byte> Reserved => ";/?:@&=+$,"u8;

    public static bool AreEquivalent(in SipUri a, in SipUri b)
    {
        if (a.IsEmpty || b.IsEmpty) return a.IsEmpty && b.IsEmpty;
        if (a.Scheme != b.Scheme) return false;
        if (!a.IsSipOrSips)
        {
            if (a.Scheme == UriScheme.Tel)
            {
                return EscapedEquals(a.User, b.User, ignoreCase: true) && ParametersEquivalent(a, b);
            }
            var ra = a.Raw;
            var rb = b.Raw;
            int ca = ra.IndexOf((byte)':'), cb = rb.IndexOf((byte)':');
            return System.Text.Ascii.EqualsIgnoreCase(ra[..ca], rb[..cb]) && EscapedEquals(ra[ca..], rb[cb..], ignoreCase: false);
        }
        if (a.HasUser != b.HasUser || a.HasPassword != b.HasPassword) return false;
        if (!EscapedEquals(a.User, b.User, ignoreCase: false)) return false;
        if (!EscapedEquals(a.Password, b.Password, ignoreCase: false)) return false;
        if (!System.Text.Ascii.EqualsIgnoreCase(a.Host, b.Host)) return false;
        if (a.Port != b.Port) return false;
        if (!ParametersEquivalent(a, b)) return false;
        return HeadersEquivalent(a, b);
    }

    private static bool ParametersEquivalent(in SipUri a, in SipUri b)
    {
        // user, ttl, method, maddr and transport must match when present in either URI.
        ReadOnlySpan<string> mustMatch = ["user", "ttl", "method", "maddr", "transport"];
        foreach (var name in mustMatch)
        {
            var n = System.Text.Encoding.ASCII.GetBytes(name);
            bool ina = a.TryGetParameter(n, out var va);
            bool inb = b.TryGetParameter(n, out var vb);
            if (ina != inb) return false;
            if (ina && !EscapedEquals(va, vb, ignoreCase: true)) return false;
        }
        // Any other parameter appearing in both must match; one present in only one is ignored.
        var e = a.EnumerateParameters();
        while (e.MoveNext(out var name, out var value))
        {
            if (b.TryGetParameter(name, out var other) && !EscapedEquals(value, other, ignoreCase: true)) return false;
        }
        return true;
    }

    private static bool HeadersEquivalent(in SipUri a, in SipUri b)
    {
        if (ParameterList.Count(a.Headers, (byte)'&') != ParameterList.Count(b.Headers, (byte)'&')) return false;
        var e = a.EnumerateHeaders();
        while (e.MoveNext(out var name, out var value))
        {
            if (!ParameterList.TryGet(b.Headers, name, (byte)'&', out var other) || !EscapedEquals(value, other, ignoreCase: false)) return false;
        }
        return true;
    }

    /// <summary>Compares two escaped strings: %HH equals the character it encodes unless that character is reserved.</summary>
    public static bool EscapedEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool ignoreCase)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            int ca = Next(a, ref i, ignoreCase);
            int cb = Next(b, ref j, ignoreCase);
            if (ca != cb) return false;
        }
        return i == a.Length && j == b.Length;
    }

    // Returns the decoded byte; an escaped reserved character is returned offset by 256 so it never equals its literal form.
    private static int Next(ReadOnlySpan<byte> s, ref int i, bool ignoreCase)
    {
        int value = s[i];
        bool escaped = false;
        if (value == '%' && i + 2 < s.Length && SipChars.IsHex(s[i + 1]) && SipChars.IsHex(s[i + 2]))
        {
            value = SipChars.HexValue(s[i + 1]) << 4 | SipChars.HexValue(s[i + 2]);
            i += 3;
            escaped = true;
        }
        else
        {
            i++;
        }
        if (ignoreCase && value is >= 'A' and <= 'Z') value |= 0x20;
        if (escaped && Reserved.Contains((byte)value)) value += 256;
        return value;
    }
}
