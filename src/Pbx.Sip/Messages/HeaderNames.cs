using System.Text;

namespace Pbx.Sip.Messages;

/// <summary>Maps header names (case-insensitive, compact forms included) to <see cref="HeaderKind"/> and back.</summary>
public static class HeaderNames
{
    private static readonly (HeaderKind Kind, byte[] Name, byte Compact)[] Known =
    [
        (HeaderKind.Via, "Via"u8.ToArray(), (byte)'v'),
        (HeaderKind.From, "From"u8.ToArray(), (byte)'f'),
        (HeaderKind.To, "To"u8.ToArray(), (byte)'t'),
        (HeaderKind.CallId, "Call-ID"u8.ToArray(), (byte)'i'),
        (HeaderKind.CSeq, "CSeq"u8.ToArray(), 0),
        (HeaderKind.MaxForwards, "Max-Forwards"u8.ToArray(), 0),
        (HeaderKind.ContentLength, "Content-Length"u8.ToArray(), (byte)'l'),
        (HeaderKind.Contact, "Contact"u8.ToArray(), (byte)'m'),
        (HeaderKind.ContentType, "Content-Type"u8.ToArray(), (byte)'c'),
        (HeaderKind.ContentEncoding, "Content-Encoding"u8.ToArray(), (byte)'e'),
        (HeaderKind.Route, "Route"u8.ToArray(), 0),
        (HeaderKind.RecordRoute, "Record-Route"u8.ToArray(), 0),
        (HeaderKind.Subject, "Subject"u8.ToArray(), (byte)'s'),
        (HeaderKind.Supported, "Supported"u8.ToArray(), (byte)'k'),
        (HeaderKind.Require, "Require"u8.ToArray(), 0),
        (HeaderKind.ProxyRequire, "Proxy-Require"u8.ToArray(), 0),
        (HeaderKind.Unsupported, "Unsupported"u8.ToArray(), 0),
        (HeaderKind.Allow, "Allow"u8.ToArray(), 0),
        (HeaderKind.Accept, "Accept"u8.ToArray(), 0),
        (HeaderKind.Expires, "Expires"u8.ToArray(), 0),
        (HeaderKind.MinExpires, "Min-Expires"u8.ToArray(), 0),
        (HeaderKind.Authorization, "Authorization"u8.ToArray(), 0),
        (HeaderKind.ProxyAuthorization, "Proxy-Authorization"u8.ToArray(), 0),
        (HeaderKind.WwwAuthenticate, "WWW-Authenticate"u8.ToArray(), 0),
        (HeaderKind.ProxyAuthenticate, "Proxy-Authenticate"u8.ToArray(), 0),
        (HeaderKind.UserAgent, "User-Agent"u8.ToArray(), 0),
        (HeaderKind.Server, "Server"u8.ToArray(), 0),
        (HeaderKind.Date, "Date"u8.ToArray(), 0),
        (HeaderKind.Event, "Event"u8.ToArray(), (byte)'o'),
        (HeaderKind.AllowEvents, "Allow-Events"u8.ToArray(), (byte)'u'),
        (HeaderKind.SubscriptionState, "Subscription-State"u8.ToArray(), 0),
        (HeaderKind.ReferTo, "Refer-To"u8.ToArray(), (byte)'r'),
        (HeaderKind.ReferredBy, "Referred-By"u8.ToArray(), (byte)'b'),
        (HeaderKind.SessionExpires, "Session-Expires"u8.ToArray(), (byte)'x'),
        (HeaderKind.Reason, "Reason"u8.ToArray(), 0),
        (HeaderKind.Timestamp, "Timestamp"u8.ToArray(), 0),
        (HeaderKind.Warning, "Warning"u8.ToArray(), 0),
        (HeaderKind.RetryAfter, "Retry-After"u8.ToArray(), 0),
    ];

    private static readonly HeaderKind[] CompactTable = BuildCompact();
    private static readonly byte[][] CanonicalNames = BuildCanonical();

    private static HeaderKind[] BuildCompact()
    {
        var table = new HeaderKind[128];
        foreach (var (kind, _, compact) in Known)
        {
            if (compact != 0)
            {
                table[compact] = kind;
                table[compact & ~0x20] = kind;
            }
        }
        return table;
    }

    private static byte[][] BuildCanonical()
    {
        var names = new byte[Enum.GetValues<HeaderKind>().Length][];
        names[0] = [];
        foreach (var (kind, name, _) in Known) names[(int)kind] = name;
        return names;
    }

    /// <summary>Identifies a header name without allocating.</summary>
    public static HeaderKind Lookup(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            byte c = name[0];
            return c < 128 ? CompactTable[c] : HeaderKind.Unknown;
        }
        foreach (var (kind, known, _) in Known)
        {
            if (known.Length == name.Length && Ascii.EqualsIgnoreCase(known, name)) return kind;
        }
        return HeaderKind.Unknown;
    }

    public static ReadOnlySpan<byte> GetName(HeaderKind kind) => CanonicalNames[(int)kind];

    public static string GetNameString(HeaderKind kind) => Encoding.ASCII.GetString(CanonicalNames[(int)kind]);
}
