namespace Pbx.Media.Sdp;

/// <summary>o= line (RFC 8866 §5.2).</summary>
public sealed class SdpOrigin
{
    public string Username { get; set; } = "-";
    /// <summary>Kept as text: only its uniqueness matters and some stacks exceed 64 bits.</summary>
    public string SessionId { get; set; } = "0";
    public ulong SessionVersion { get; set; }
    public string NetworkType { get; set; } = SdpConstants.NetworkTypeInternet;
    public string AddressType { get; set; } = SdpConstants.AddressTypeIPv4;
    public string UnicastAddress { get; set; } = "0.0.0.0";

    public SdpOrigin Clone() => (SdpOrigin)MemberwiseClone();
}

/// <summary>b= line (RFC 8866 §5.8).</summary>
public sealed record SdpBandwidth(string Type, ulong Value);

/// <summary>a= line; <see cref="Value"/> is null for property attributes such as a=sendrecv.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>t= line with its r= lines (RFC 8866 §5.9, §5.10).</summary>
public sealed class SdpTiming
{
    public ulong StartTime { get; set; }
    public ulong StopTime { get; set; }
    /// <summary>Raw r= values (already validated), in order.</summary>
    public List<string> Repeats { get; } = [];

    public SdpTiming Clone()
    {
        var copy = new SdpTiming { StartTime = StartTime, StopTime = StopTime };
        copy.Repeats.AddRange(Repeats);
        return copy;
    }
}

/// <summary>The whole session description (RFC 8866 §5).</summary>
public sealed class SessionDescription
{
    public int Version { get; set; }
    public SdpOrigin Origin { get; set; } = new();
    public string SessionName { get; set; } = "-";
    public string? Information { get; set; }
    public string? Uri { get; set; }
    public List<string> Emails { get; } = [];
    public List<string> Phones { get; } = [];
    public SdpConnection? Connection { get; set; }
    public List<SdpBandwidth> Bandwidths { get; } = [];
    public List<SdpTiming> Timings { get; } = [];
    /// <summary>Raw z= value.</summary>
    public string? TimeZones { get; set; }
    /// <summary>Raw k= value (obsolete in RFC 8866 but still parsed and preserved).</summary>
    public string? EncryptionKey { get; set; }
    public List<SdpAttribute> Attributes { get; } = [];
    public List<MediaDescription> Media { get; } = [];

    /// <summary>Session-level direction; sendrecv when no direction attribute is present (RFC 3264 §5.1).</summary>
    public MediaDirection Direction
    {
        get => SdpAttributeList.GetDirection(Attributes) ?? MediaDirection.SendRecv;
        set => SdpAttributeList.SetDirection(Attributes, value);
    }

    /// <summary>Explicit session-level direction attribute, null when absent.</summary>
    public MediaDirection? ExplicitDirection => SdpAttributeList.GetDirection(Attributes);

    public SessionDescription Clone()
    {
        var copy = new SessionDescription
        {
            Version = Version,
            Origin = Origin.Clone(),
            SessionName = SessionName,
            Information = Information,
            Uri = Uri,
            Connection = Connection,
            TimeZones = TimeZones,
            EncryptionKey = EncryptionKey,
        };
        copy.Emails.AddRange(Emails);
        copy.Phones.AddRange(Phones);
        copy.Bandwidths.AddRange(Bandwidths);
        foreach (var timing in Timings) copy.Timings.Add(timing.Clone());
        copy.Attributes.AddRange(Attributes);
        foreach (var media in Media) copy.Media.Add(media.Clone());
        return copy;
    }

    public override string ToString() => SdpSerializer.Serialize(this);
}
