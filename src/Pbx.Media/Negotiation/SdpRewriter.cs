using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>Edits that put our relay in the media path while keeping the rest of a description intact.</summary>
public static class SdpRewriter
{
    /// <summary>ICE describes the far leg's transport addresses; forwarded to the other leg it would bypass the relay.</summary>
    private static readonly string[] TransportAttributes =
        ["candidate", "remote-candidates", "end-of-candidates", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "ice-mismatch", SdpConstants.AttributeRtcpMux];

    /// <summary>
    /// Points every m= line at its relay endpoint: session-level c= becomes the first endpoint's address, media-level
    /// c= lines are replaced where the endpoint differs, and a=rtcp is written only when RTCP is not on RTP+1
    /// (RFC 3605). A null endpoint, or a line already at port 0, becomes a rejected stream (port 0).
    /// Everything else (attributes, order, formats) is kept.
    /// </summary>
    public static void RewriteEndpoints(SessionDescription sdp, IReadOnlyList<LocalMediaEndpoint?> endpoints)
    {
        var sessionEndpoint = endpoints.FirstOrDefault(endpoint => endpoint is not null);
        // With every stream rejected there is nothing to point at, but the far leg's address must still not leak.
        sdp.Connection = SdpConnection.FromIPAddress(sessionEndpoint?.Address ?? System.Net.IPAddress.Any);

        for (var i = 0; i < sdp.Media.Count; i++)
        {
            var media = sdp.Media[i];
            var endpoint = i < endpoints.Count ? endpoints[i] : null;
            media.Connections.Clear();
            if (endpoint is null || media.IsRejected)
            {
                Reject(media);
                continue;
            }
            if (!endpoint.Address.Equals(sessionEndpoint!.Address)) media.Connections.Add(SdpConnection.FromIPAddress(endpoint.Address));
            media.Port = endpoint.RtpPort;
            media.PortCount = null;
            media.Rtcp = endpoint.RtcpPort == endpoint.RtpPort + 1 ? null : new SdpRtcpAttribute(endpoint.RtcpPort);
        }
    }

    /// <summary>Removes ICE and rtcp-mux attributes at both levels: the relay terminates transport on each leg.</summary>
    public static void RemoveTransportAttributes(SessionDescription sdp)
    {
        foreach (var name in TransportAttributes) SdpAttributeList.Remove(sdp.Attributes, name);
        foreach (var media in sdp.Media)
        {
            foreach (var name in TransportAttributes) SdpAttributeList.Remove(media.Attributes, name);
        }
    }

    /// <summary>Keeps only the given payload types on an m= line, dropping the rtpmap/fmtp lines of the others.</summary>
    public static void KeepFormats(MediaDescription media, IReadOnlyList<NegotiatedFormat> formats)
    {
        media.Formats.Clear();
        foreach (var format in formats) media.Formats.Add(format.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture));
        media.Attributes.RemoveAll(attribute => IsFormatAttributeOfOtherPayloadType(attribute, formats));
        foreach (var format in formats)
        {
            if (format.Codec.IsTelephoneEvent && format.Fmtp is not null) SetFmtp(media, format.PayloadType, format.Fmtp);
        }
    }

    /// <summary>Port 0 with no attributes, keeping media type, protocol and formats as RFC 3264 §6 recommends.</summary>
    public static void Reject(MediaDescription media)
    {
        media.Port = 0;
        media.PortCount = null;
        media.Attributes.Clear();
        media.Bandwidths.Clear();
        media.EncryptionKey = null;
    }

    private static void SetFmtp(MediaDescription media, int payloadType, string parameters)
    {
        var value = new SdpFmtp(payloadType, parameters).ToAttributeValue();
        var index = media.Attributes.FindIndex(attribute =>
            string.Equals(attribute.Name, SdpConstants.AttributeFmtp, StringComparison.OrdinalIgnoreCase)
            && SdpFmtp.TryParse(attribute.Value, out var fmtp) && fmtp.PayloadType == payloadType);
        if (index >= 0) media.Attributes[index] = new SdpAttribute(SdpConstants.AttributeFmtp, value);
        else media.Attributes.Add(new SdpAttribute(SdpConstants.AttributeFmtp, value));
    }

    private static bool IsFormatAttributeOfOtherPayloadType(SdpAttribute attribute, IReadOnlyList<NegotiatedFormat> kept)
    {
        int payloadType;
        if (string.Equals(attribute.Name, SdpConstants.AttributeRtpMap, StringComparison.OrdinalIgnoreCase))
        {
            if (!SdpRtpMap.TryParse(attribute.Value, out var map)) return false;
            payloadType = map.PayloadType;
        }
        else if (string.Equals(attribute.Name, SdpConstants.AttributeFmtp, StringComparison.OrdinalIgnoreCase))
        {
            if (!SdpFmtp.TryParse(attribute.Value, out var fmtp)) return false;
            payloadType = fmtp.PayloadType;
        }
        else
        {
            return false;
        }
        return !kept.Any(format => format.PayloadType == payloadType);
    }
}
