namespace Pbx.Sip.Messages;

/// <summary>RFC 3261 §25.1 character classes, table driven so the hot path is one lookup per byte.</summary>
internal static class SipChars
{
    private const ushort Token = 1;
    private const ushort Unreserved = 2;
    private const ushort UserExtra = 4;
    private const ushort ParamExtra = 8;
    private const ushort HeaderExtra = 16;
    private const ushort PasswordExtra = 32;
    private const ushort WordExtra = 64;
    private const ushort Host = 128;
    private const ushort SchemeChar = 256;

    private static readonly ushort[] Table = Build();

    private static ushort[] Build()
    {
        var t = new ushort[256];
        for (int c = 0; c < 128; c++)
        {
            bool alnum = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';
            if (alnum)
            {
                t[c] |= Token | Unreserved | Host | WordExtra | SchemeChar;
            }
        }
        foreach (char c in "-.!%*_+`'~") t[c] |= Token | WordExtra;
        foreach (char c in "-_.!~*'()") t[c] |= Unreserved;
        foreach (char c in "&=+$,;?/") t[c] |= UserExtra;
        foreach (char c in "[]/:&+$") t[c] |= ParamExtra;
        foreach (char c in "[]/?:+$") t[c] |= HeaderExtra;
        foreach (char c in "&=+$,") t[c] |= PasswordExtra;
        foreach (char c in "()<>:\\\"/[]?{}") t[c] |= WordExtra;
        foreach (char c in "-.[]:") t[c] |= Host;
        foreach (char c in "+-.") t[c] |= SchemeChar;
        return t;
    }

    public static bool IsToken(byte b) => (Table[b] & Token) != 0;

    public static bool IsWord(byte b) => (Table[b] & WordExtra) != 0;

    public static bool IsHostChar(byte b) => (Table[b] & Host) != 0;

    public static bool IsSchemeChar(byte b) => (Table[b] & SchemeChar) != 0;

    public static bool IsUserChar(byte b) => (Table[b] & (Unreserved | UserExtra)) != 0;

    public static bool IsPasswordChar(byte b) => (Table[b] & (Unreserved | PasswordExtra)) != 0;

    public static bool IsParamChar(byte b) => (Table[b] & (Unreserved | ParamExtra)) != 0;

    public static bool IsHeaderChar(byte b) => (Table[b] & (Unreserved | HeaderExtra)) != 0;

    public static bool IsUnreserved(byte b) => (Table[b] & Unreserved) != 0;

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    public static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    public static bool IsAlpha(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';

    public static bool IsHex(byte b) => IsDigit(b) || b is >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    public static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    public static bool IsTokenSpan(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return false;
        foreach (byte b in s)
        {
            if (!IsToken(b)) return false;
        }
        return true;
    }
}
