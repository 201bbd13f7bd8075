namespace Pbx.Media.Relay;

/// <summary>The two call legs of a relayed call; A is conventionally the caller.</summary>
public enum RelayLeg
{
    A,
    B,
}

/// <summary>Direction of media flow, named by the leg the packets come from.</summary>
public enum RelayDirection
{
    AToB,
    BToA,
}

public enum RelayStreamKind
{
    Rtp,
    Rtcp,
}

/// <summary>Snapshot of one forwarding path (RTP or RTCP, one direction).</summary>
/// <param name="PacketsReceived">Valid packets accepted from the source leg, whether or not they could be sent on.</param>
/// <param name="IdleTime">Time since the last valid packet from the source leg, or since start when none arrived yet.</param>
public readonly record struct RelayStreamStatistics(
    long PacketsRelayed,
    long BytesRelayed,
    long PacketsReceived,
    TimeSpan IdleTime,
    bool HasReceivedPackets,
    long DroppedInvalid,
    long DroppedUnexpectedSource,
    long DroppedNoDestination,
    long SendErrors,
    long ReceiveErrors);

public sealed record RelayStatistics(
    RelayStreamStatistics RtpAToB,
    RelayStreamStatistics RtpBToA,
    RelayStreamStatistics RtcpAToB,
    RelayStreamStatistics RtcpBToA);

/// <summary>Settings shared by relay sessions.</summary>
public sealed class RtpRelayOptions
{
    /// <summary>Receive buffer per socket. A datagram that fills it completely may have been truncated and is dropped.</summary>
    public int MaxDatagramSize { get; set; } = 2048;

    /// <summary>After this many receive errors in a row without a good packet the forwarding loop gives up.</summary>
    public int MaxConsecutiveReceiveErrors { get; set; } = 1000;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
