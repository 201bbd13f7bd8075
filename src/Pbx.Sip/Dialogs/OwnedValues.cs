using Pbx.Sip.Messages;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Dialogs;

/// <summary>
/// Copies of header values a dialog keeps beyond the message they came from. Each copy gets its own array and is
/// never written again, so a <see cref="SipUri"/> or <see cref="NameAddress"/> view over it stays valid for anyone
/// who read it, even after the dialog swaps in a newer value.
/// </summary>
internal static class OwnedValues
{
    public static SipUri CopyUri(in SipUri uri)
    {
        var bytes = uri.Raw.ToArray();
        return SipUri.TryParse(bytes, out var copy) ? copy : throw new InvalidOperationException("A parsed URI failed to parse again.");
    }

    /// <summary>Parses a Route/Record-Route value (name-addr with parameters) into its own array.</summary>
    public static bool TryCopyNameAddress(ReadOnlySpan<byte> value, out NameAddress copy)
    {
        var bytes = value.ToArray();
        return NameAddressParser.TryParse(bytes, new TextRange(0, bytes.Length), out copy, out int next) && next == bytes.Length
            && !copy.IsWildcard && copy.IsNameAddr;
    }

    /// <summary>
    /// The From/To address without its tag, as it goes into requests we build: display name (when present) and the URI
    /// in angle brackets (always bracketed, so URI parameters cannot be taken for header parameters).
    /// Other header parameters of From/To are not dialog state and are left out.
    /// </summary>
    public static byte[] AddressWithoutTag(in NameAddress address)
    {
        var display = address.DisplayName;
        var uri = address.Uri.Raw;
        int quotes = address.IsDisplayNameQuoted ? 2 : 0;
        int length = (address.HasDisplayName ? display.Length + quotes + 1 : 0) + uri.Length + 2;
        var bytes = new byte[length];
        int pos = 0;
        if (address.HasDisplayName)
        {
            if (address.IsDisplayNameQuoted) bytes[pos++] = (byte)'"';
            display.CopyTo(bytes.AsSpan(pos));
            pos += display.Length;
            if (address.IsDisplayNameQuoted) bytes[pos++] = (byte)'"';
            bytes[pos++] = (byte)' ';
        }
        bytes[pos++] = (byte)'<';
        uri.CopyTo(bytes.AsSpan(pos));
        pos += uri.Length;
        bytes[pos] = (byte)'>';
        return bytes;
    }

    /// <summary>
    /// The route set from the Record-Route values of a message, in header order, or reversed for the UAC
    /// (RFC 3261 §12.1.1, §12.1.2). False when a value does not parse.
    /// </summary>
    public static bool TryReadRouteSet(SipMessage message, bool reverse, out NameAddress[] routes)
    {
        routes = [];
        if (message.CountHeaders(HeaderKind.RecordRoute) == 0) return true;
        var list = new List<NameAddress>(4);
        foreach (var value in message.EnumerateValues(HeaderKind.RecordRoute))
        {
            if (!TryCopyNameAddress(value, out var route)) return false;
            list.Add(route);
        }
        if (reverse) list.Reverse();
        routes = list.ToArray();
        return true;
    }

    /// <summary>The first Contact's URI when it is one we can send to (not the wildcard, not absent).</summary>
    public static bool TryGetContactUri(SipMessage message, out SipUri uri)
    {
        uri = default;
        var contacts = message.Contacts;
        if (contacts.IsEmpty || contacts[0].IsWildcard || contacts[0].Uri.IsEmpty) return false;
        uri = CopyUri(contacts[0].Uri);
        return true;
    }
}
