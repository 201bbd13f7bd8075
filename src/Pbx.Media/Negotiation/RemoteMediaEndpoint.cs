using System.Diagnostics.CodeAnalysis;
using System.Net;
using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>Where a phone says it receives one stream, as read from its SDP; what the relay gets via SetRemote.</summary>
public sealed record RemoteMediaEndpoint(IPEndPoint Rtp, IPEndPoint Rtcp)
{
    /// <summary>
    /// Reads the RTP and RTCP destinations of an m= line: effective c= address and port, with a=rtcp (RFC 3605)
    /// overriding the RTP + 1 default. False for rejected lines, host names (the caller resolves those), hold
    /// addresses (0.0.0.0 / ::) and multicast, none of which the relay can send to directly.
    /// </summary>
    public static bool TryRead(SessionDescription sdp, MediaDescription media, [NotNullWhen(true)] out RemoteMediaEndpoint? endpoint)
    {
        endpoint = null;
        if (media.IsRejected) return false;
        var connection = media.GetEffectiveConnection(sdp);
        if (connection is null || !connection.TryGetIPAddress(out var address) || !IsUsableUnicast(address)) return false;

        var rtcpAddress = address;
        var rtcpPort = media.Port < IPEndPoint.MaxPort ? media.Port + 1 : media.Port;
        if (media.Rtcp is { } rtcp)
        {
            if (rtcp.Port == 0) return false;
            rtcpPort = rtcp.Port;
            if (rtcp.Connection is not null)
            {
                if (!rtcp.Connection.TryGetIPAddress(out var explicitAddress) || !IsUsableUnicast(explicitAddress)) return false;
                rtcpAddress = explicitAddress;
            }
        }
        endpoint = new RemoteMediaEndpoint(new IPEndPoint(address, media.Port), new IPEndPoint(rtcpAddress, rtcpPort));
        return true;
    }

    private static bool IsUsableUnicast(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.IsIPv6Multicast && !(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0);
}
