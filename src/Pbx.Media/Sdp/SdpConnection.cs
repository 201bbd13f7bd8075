using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Sdp;

/// <summary>
/// c= line (RFC 8866 §5.7). <see cref="Address"/> is the base address without the /ttl/count suffix;
/// it may be a host name, so use <see cref="TryGetIPAddress"/> rather than assuming a literal.
/// </summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address, int? Ttl = null, int? AddressCount = null)
{
    public static SdpConnection FromIPAddress(IPAddress address) => new(
        SdpConstants.NetworkTypeInternet,
        address.AddressFamily == AddressFamily.InterNetworkV6 ? SdpConstants.AddressTypeIPv6 : SdpConstants.AddressTypeIPv4,
        address.ToString());

    public bool TryGetIPAddress(out IPAddress address)
    {
        if (IPAddress.TryParse(Address, out var parsed))
        {
            address = parsed;
            return true;
        }
        address = IPAddress.None;
        return false;
    }

    /// <summary>True for the RFC 2543 hold convention (c=IN IP4 0.0.0.0) and its IPv6 analogue.</summary>
    public bool IsUnspecifiedAddress =>
        TryGetIPAddress(out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));

    internal string FormatAddressField()
    {
        if (Ttl is { } ttl)
            return AddressCount is { } countWithTtl ? $"{Address}/{ttl}/{countWithTtl}" : $"{Address}/{ttl}";
        return AddressCount is { } count ? $"{Address}/{count}" : Address;
    }

    public override string ToString() => $"{NetworkType} {AddressType} {FormatAddressField()}";
}
