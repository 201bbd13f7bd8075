using System.Globalization;

namespace Pbx.Media.Sdp;

/// <summary>One m= section (RFC 8866 §5.14) with its media-level lines.</summary>
public sealed class MediaDescription
{
    public string MediaType { get; set; } = SdpConstants.MediaAudio;
    /// <summary>0 marks a rejected or disabled stream (RFC 3264 §6).</summary>
    public int Port { get; set; }
    public int? PortCount { get; set; }
    public string Protocol { get; set; } = SdpConstants.ProtocolRtpAvp;
    /// <summary>Formats in preference order; payload type numbers for RTP/AVP.</summary>
    public List<string> Formats { get; } = [];
    public string? Information { get; set; }
    /// <summary>Media-level c= lines; usually zero or one.</summary>
    public List<SdpConnection> Connections { get; } = [];
    public List<SdpBandwidth> Bandwidths { get; } = [];
    public string? EncryptionKey { get; set; }
    public List<SdpAttribute> Attributes { get; } = [];

    public bool IsRejected => Port == 0;

    public bool IsRtpAvp => Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Media-level c= if present, otherwise the session-level one (RFC 8866 §5.7).</summary>
    public SdpConnection? GetEffectiveConnection(SessionDescription session) =>
        Connections.Count > 0 ? Connections[0] : session.Connection;

    /// <summary>Media-level direction, falling back to the session level, then sendrecv (RFC 8866 §6.7).</summary>
    public MediaDirection GetEffectiveDirection(SessionDescription session) =>
        SdpAttributeList.GetDirection(Attributes) ?? session.Direction;

    public MediaDirection? ExplicitDirection => SdpAttributeList.GetDirection(Attributes);

    public void SetDirection(MediaDirection direction) => SdpAttributeList.SetDirection(Attributes, direction);

    /// <summary>Payload type numbers of <see cref="Formats"/>; non-numeric formats are skipped.</summary>
    public IEnumerable<int> GetPayloadTypes()
    {
        foreach (var format in Formats)
        {
            if (SdpText.TryParsePayloadType(format, out var payloadType)) yield return payloadType;
        }
    }

    public IReadOnlyList<SdpRtpMap> GetRtpMaps()
    {
        var maps = new List<SdpRtpMap>();
        foreach (var attribute in SdpAttributeList.GetAll(Attributes, SdpConstants.AttributeRtpMap))
        {
            if (SdpRtpMap.TryParse(attribute.Value, out var map)) maps.Add(map);
        }
        return maps;
    }

    public SdpRtpMap? GetRtpMap(int payloadType)
    {
        foreach (var map in GetRtpMaps())
        {
            if (map.PayloadType == payloadType) return map;
        }
        return null;
    }

    public SdpFmtp? GetFmtp(int payloadType)
    {
        foreach (var attribute in SdpAttributeList.GetAll(Attributes, SdpConstants.AttributeFmtp))
        {
            if (SdpFmtp.TryParse(attribute.Value, out var fmtp) && fmtp.PayloadType == payloadType) return fmtp;
        }
        return null;
    }

    public int? Ptime
    {
        get => ReadMilliseconds(SdpConstants.AttributePtime);
        set => WriteMilliseconds(SdpConstants.AttributePtime, value);
    }

    public int? MaxPtime
    {
        get => ReadMilliseconds(SdpConstants.AttributeMaxPtime);
        set => WriteMilliseconds(SdpConstants.AttributeMaxPtime, value);
    }

    public SdpRtcpAttribute? Rtcp
    {
        get => SdpRtcpAttribute.TryParse(SdpAttributeList.GetValue(Attributes, SdpConstants.AttributeRtcp), out var rtcp) ? rtcp : null;
        set
        {
            if (value is null) SdpAttributeList.Remove(Attributes, SdpConstants.AttributeRtcp);
            else SdpAttributeList.Set(Attributes, new SdpAttribute(SdpConstants.AttributeRtcp, value.ToAttributeValue()));
        }
    }

    public bool RtcpMux => SdpAttributeList.Contains(Attributes, SdpConstants.AttributeRtcpMux);

    public MediaDescription Clone()
    {
        var copy = new MediaDescription
        {
            MediaType = MediaType,
            Port = Port,
            PortCount = PortCount,
            Protocol = Protocol,
            Information = Information,
            EncryptionKey = EncryptionKey,
        };
        copy.Formats.AddRange(Formats);
        copy.Connections.AddRange(Connections);
        copy.Bandwidths.AddRange(Bandwidths);
        copy.Attributes.AddRange(Attributes);
        return copy;
    }

    private int? ReadMilliseconds(string name)
    {
        var value = SdpAttributeList.GetValue(Attributes, name);
        if (value is null) return null;
        // ptime may legally carry a fraction (e.g. "20.0" from some phones); whole milliseconds are enough for audio.
        return decimal.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) && ms > 0 && ms <= 10_000
            ? (int)ms
            : null;
    }

    private void WriteMilliseconds(string name, int? value)
    {
        if (value is null) SdpAttributeList.Remove(Attributes, name);
        else SdpAttributeList.Set(Attributes, new SdpAttribute(name, value.Value.ToString(CultureInfo.InvariantCulture)));
    }
}
