using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Sdp;

/// <summary>Field-level validation for c=, o=, m= and z= lines.</summary>
internal static class SdpFieldParsers
{
    public static string? ParseConnection(string value, out SdpConnection? connection)
    {
        connection = null;
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3) return "c= line must be <nettype> <addrtype> <address>";
        var problem = ValidateAddress(fields[0], fields[1], fields[2], allowMulticastSuffix: true, out var address, out var ttl, out var count);
        if (problem is not null) return $"c= line: {problem}";
        connection = new SdpConnection(fields[0], fields[1], address, ttl, count);
        return null;
    }

    public static string? ValidateAddress(string networkType, string addressType, string field, bool allowMulticastSuffix,
        out string address, out int? ttl, out int? count)
    {
        address = field;
        ttl = null;
        count = null;
        if (!SdpText.IsToken(networkType)) return "malformed network type";
        if (!SdpText.IsToken(addressType)) return "malformed address type";
        if (!SdpText.IsNonWhitespaceString(field)) return "malformed address";

        var isInternet = string.Equals(networkType, SdpConstants.NetworkTypeInternet, StringComparison.OrdinalIgnoreCase);
        var isIPv4 = isInternet && string.Equals(addressType, SdpConstants.AddressTypeIPv4, StringComparison.OrdinalIgnoreCase);
        var isIPv6 = isInternet && string.Equals(addressType, SdpConstants.AddressTypeIPv6, StringComparison.OrdinalIgnoreCase);
        if (!isIPv4 && !isIPv6) return null;

        var parts = field.Split('/');
        if (parts.Length > 1 && !allowMulticastSuffix) return "address suffix not allowed here";
        if (parts.Length > (isIPv4 ? 3 : 2)) return "too many '/' suffixes on address";
        address = parts[0];
        if (isIPv4)
        {
            if (parts.Length >= 2)
            {
                if (!SdpText.TryParseBoundedInt(parts[1], 255, out var parsedTtl)) return "malformed TTL";
                ttl = parsedTtl;
            }
            if (parts.Length == 3)
            {
                if (!SdpText.TryParseBoundedInt(parts[2], 65535, out var parsedCount) || parsedCount == 0) return "malformed address count";
                count = parsedCount;
            }
            return ValidateIPv4OrHost(address);
        }
        if (parts.Length == 2)
        {
            if (!SdpText.TryParseBoundedInt(parts[1], 65535, out var parsedCount) || parsedCount == 0) return "malformed address count";
            count = parsedCount;
        }
        return ValidateIPv6OrHost(address);
    }

    private static string? ValidateIPv4OrHost(string address)
    {
        if (address.Contains(':')) return $"'{address}' is not an IP4 address";
        if (address.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            // IPAddress.TryParse also accepts shorthand like "10" or "10.1"; SDP requires dotted quads.
            var octets = address.Split('.');
            if (octets.Length != 4 || octets.Any(o => !SdpText.TryParseBoundedInt(o, 255, out _)))
                return $"'{address}' is not a valid IP4 address";
            return null;
        }
        return IsHostName(address) ? null : $"'{address}' is not a valid IP4 address or host name";
    }

    private static string? ValidateIPv6OrHost(string address)
    {
        if (address.Contains(':'))
        {
            return IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6
                ? null
                : $"'{address}' is not a valid IP6 address";
        }
        if (address.All(c => char.IsAsciiDigit(c) || c == '.')) return $"'{address}' is not an IP6 address";
        return IsHostName(address) ? null : $"'{address}' is not a valid IP6 address or host name";
    }

    private static bool IsHostName(string address)
    {
        if (address.Length is 0 or > 253 || address[0] == '.' || address[0] == '-') return false;
        return address.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.');
    }

    public static bool IsValidTimeZones(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields.Length % 2 != 0) return false;
        for (var i = 0; i < fields.Length; i += 2)
        {
            if (!SdpText.TryParseUInt64(fields[i], out _) || !SdpText.IsTypedTime(fields[i + 1], allowNegative: true)) return false;
        }
        return true;
    }

    public static string? ParseMedia(string value, out MediaDescription? media)
    {
        media = null;
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4) return "m= line must be <media> <port> <proto> <fmt> ...";
        if (fields.Length - 3 > SdpConstants.MaxFormatsPerMedia) return $"more than {SdpConstants.MaxFormatsPerMedia} formats on m= line";
        if (!SdpText.IsToken(fields[0])) return "malformed media type";

        var portField = fields[1];
        int? portCount = null;
        var slash = portField.IndexOf('/');
        if (slash >= 0)
        {
            if (!SdpText.TryParseBoundedInt(portField.AsSpan(slash + 1), 65535, out var parsedCount) || parsedCount == 0)
                return "malformed port count on m= line";
            portCount = parsedCount;
            portField = portField[..slash];
        }
        if (!SdpText.TryParsePort(portField, out var port)) return "malformed port on m= line";

        foreach (var protocolPart in fields[2].Split('/'))
        {
            if (!SdpText.IsToken(protocolPart)) return "malformed transport protocol on m= line";
        }

        var result = new MediaDescription { MediaType = fields[0], Port = port, PortCount = portCount, Protocol = fields[2] };
        var isRtp = result.IsRtpAvp;
        for (var i = 3; i < fields.Length; i++)
        {
            if (!SdpText.IsToken(fields[i])) return "malformed format on m= line";
            if (isRtp && !SdpText.TryParsePayloadType(fields[i], out _)) return $"'{fields[i]}' is not an RTP payload type";
            result.Formats.Add(fields[i]);
        }
        media = result;
        return null;
    }
}
