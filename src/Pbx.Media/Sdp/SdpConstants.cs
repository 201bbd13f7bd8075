namespace Pbx.Media.Sdp;

public static class SdpConstants
{
    public const string NetworkTypeInternet = "IN";
    public const string AddressTypeIPv4 = "IP4";
    public const string AddressTypeIPv6 = "IP6";
    public const string MediaAudio = "audio";
    public const string ProtocolRtpAvp = "RTP/AVP";

    public const string AttributeRtpMap = "rtpmap";
    public const string AttributeFmtp = "fmtp";
    public const string AttributePtime = "ptime";
    public const string AttributeMaxPtime = "maxptime";
    public const string AttributeRtcp = "rtcp";
    public const string AttributeRtcpMux = "rtcp-mux";
    public const string AttributeSendRecv = "sendrecv";
    public const string AttributeSendOnly = "sendonly";
    public const string AttributeRecvOnly = "recvonly";
    public const string AttributeInactive = "inactive";

    /// <summary>Bodies larger than this are rejected before parsing; SDP for a voice call is a few hundred bytes.</summary>
    public const int MaxDescriptionLength = 64 * 1024;
    public const int MaxMediaDescriptions = 64;
    public const int MaxFormatsPerMedia = 128;
}

/// <summary>RTP stream direction (RFC 8866 §6.7).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}
