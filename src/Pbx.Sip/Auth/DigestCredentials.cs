using System.Text;

namespace Pbx.Sip.Auth;

/// <summary>An Authorization / Proxy-Authorization value (RFC 3261 §25.1 credentials, RFC 7616 §3.4).</summary>
public sealed class DigestCredentials
{
    private readonly Dictionary<string, string> _parameters;

    private DigestCredentials(string scheme, Dictionary<string, string> parameters)
    {
        Scheme = scheme;
        _parameters = parameters;
    }

    public string Scheme { get; }

    public bool IsDigest => Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase);

    public string? Username => Get("username");
    public string? Realm => Get("realm");
    public string? Nonce => Get("nonce");
    public string? Uri => Get("uri");
    public string? Response => Get("response");
    public string? Algorithm => Get("algorithm");
    public string? CNonce => Get("cnonce");
    public string? Opaque => Get("opaque");
    public string? Qop => Get("qop");
    public string? NonceCount => Get("nc");

    public string? Get(string name) => _parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses "scheme param=value, param="quoted", ..."; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out DigestCredentials? credentials, out string error)
    {
        credentials = null;
        error = "";
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            error = "Credentials are not UTF-8";
            return false;
        }
        int pos = 0;
        SkipSpace(text, ref pos);
        int schemeStart = pos;
        while (pos < text.Length && !IsSpace(text[pos])) pos++;
        if (pos == schemeStart)
        {
            error = "Missing scheme";
            return false;
        }
        string scheme = text[schemeStart..pos];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSpace(text, ref pos);
            if (pos >= text.Length) break;
            int nameStart = pos;
            while (pos < text.Length && text[pos] != '=' && text[pos] != ',' && !IsSpace(text[pos])) pos++;
            string name = text[nameStart..pos];
            SkipSpace(text, ref pos);
            if (name.Length == 0 || pos >= text.Length || text[pos] != '=')
            {
                error = "Malformed parameter";
                return false;
            }
            pos++;
            SkipSpace(text, ref pos);
            string v;
            if (pos < text.Length && text[pos] == '"')
            {
                var sb = new StringBuilder();
                pos++;
                bool closed = false;
                while (pos < text.Length)
                {
                    char c = text[pos++];
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && pos < text.Length) c = text[pos++];
                    sb.Append(c);
                }
                if (!closed)
                {
                    error = "Unterminated quoted string";
                    return false;
                }
                v = sb.ToString();
            }
            else
            {
                int vs = pos;
                while (pos < text.Length && text[pos] != ',' && !IsSpace(text[pos])) pos++;
                v = text[vs..pos];
            }
            if (!parameters.TryAdd(name, v))
            {
                error = $"Duplicate parameter {name}";
                return false;
            }
            SkipSpace(text, ref pos);
            if (pos < text.Length)
            {
                if (text[pos] != ',')
                {
                    error = "Expected ','";
                    return false;
                }
                pos++;
            }
        }
        credentials = new DigestCredentials(scheme, parameters);
        return true;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static void SkipSpace(string s, ref int pos)
    {
        while (pos < s.Length && IsSpace(s[pos])) pos++;
    }
}
