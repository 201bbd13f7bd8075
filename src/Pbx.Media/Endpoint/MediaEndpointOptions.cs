using Pbx.Media.Dtmf;
using Pbx.Media.Negotiation;

namespace Pbx.Media.Endpoint;

/// <summary>When the endpoint listens for DTMF in the audio itself.</summary>
public enum InBandDtmfMode
{
    /// <summary>Until the first RFC 4733 event arrives: phones that send events usually also leave the tones in the
    /// audio, and detecting both would double every digit.</summary>
    Auto,
    Always,
    Never,
}

public enum DtmfSource
{
    InBand,
    Rfc4733,
}

public sealed class DtmfReceivedEventArgs(char digit, DtmfSource source) : EventArgs
{
    public char Digit { get; } = digit;
    public DtmfSource Source { get; } = source;
}

/// <summary>What was negotiated for the stream: the audio codec with its payload type, and telephone-event's if any.</summary>
public sealed record EndpointMediaFormat(AudioCodec Codec, byte PayloadType, byte? TelephoneEventPayloadType = null)
{
    /// <summary>Takes the first supported audio format and the telephone-event format of a negotiated m= line.</summary>
    public static EndpointMediaFormat? FromNegotiated(IReadOnlyList<NegotiatedFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var audio = formats.FirstOrDefault(format => !format.Codec.IsTelephoneEvent && Codecs.VoiceCodec.IsSupported(format.Codec));
        if (audio is null) return null;
        var events = formats.FirstOrDefault(format => format.Codec.IsTelephoneEvent);
        return new EndpointMediaFormat(audio.Codec, (byte)audio.PayloadType, events is null ? null : (byte)events.PayloadType);
    }
}

public sealed class MediaEndpointOptions
{
    /// <summary>Jitter buffer depth bounds in 20 ms packets; the target adapts between them.</summary>
    public int MinJitterPackets { get; set; } = 1;
    public int MaxJitterPackets { get; set; } = 10;
    public InBandDtmfMode InBandDtmf { get; set; } = InBandDtmfMode.Auto;
    public DtmfDetectorOptions? DtmfDetector { get; set; }
    /// <summary>Duration of each digit this endpoint sends as RFC 4733 events.</summary>
    public TimeSpan DtmfSendDuration { get; set; } = TimeSpan.FromMilliseconds(100);
    public int MaxDatagramSize { get; set; } = 2048;
    public int MaxConsecutiveReceiveErrors { get; set; } = 1000;
}

/// <summary>Counters of one endpoint; a snapshot.</summary>
public readonly record struct MediaEndpointStatistics(
    long PacketsSent,
    long PacketsReceived,
    long DtmfEventsSent,
    long DroppedInvalid,
    long DroppedUnexpectedSource,
    long DroppedOtherPayloadType,
    long DuplicatePackets,
    long LatePackets,
    long LostPackets,
    long TrimmedForLatency,
    long ConcealedFrames,
    long SendErrors,
    int JitterTargetPackets,
    int JitterBufferedPackets);
