namespace Pbx.Calls.Sip;

public static class SipHeaderValues
{
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REGISTER";
    public const string Sdp = "application/sdp";
    public const string UserAgent = "Pbx.Server";

    /// <summary>A display name in quotes with quote and backslash escaped (RFC 3261 §25.1 quoted-string).</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>The user part of a number, reduced to what a SIP URI user may carry unescaped.</summary>
    public static string UserPart(string number)
    {
        Span<char> buffer = stackalloc char[Math.Min(number.Length, 64)];
        int n = 0;
        foreach (var c in number)
        {
            if (n == buffer.Length) break;
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '*' or '-' or '.' or '_') buffer[n++] = c;
        }
        return n == 0 ? "anonymous" : new string(buffer[..n]);
    }
}
