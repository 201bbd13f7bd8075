using Pbx.Media.Negotiation;

namespace Pbx.Media.Codecs;

/// <summary>
/// Encoder and decoder state of one RTP audio stream for a negotiated codec. Frame sizes derive from the codec's
/// audio sample rate; RTP timestamps from its clock rate (8000 for G.722 although its audio is 16 kHz).
/// One instance per stream and direction pair; not thread-safe; no allocation per frame.
/// </summary>
public abstract class VoiceCodec
{
    /// <summary>Longest packet duration accepted on receive (RFC 3551 allows up to 200 ms; phones use 10-60 ms).</summary>
    public const int MaxPacketMilliseconds = 120;

    public abstract AudioCodec Codec { get; }
    public int SampleRate => Codec.AudioSampleRate;
    public int SamplesPerFrame => SampleRate / 50;
    public int TimestampUnitsPerFrame => Codec.ClockRate / 50;
    /// <summary>Payload bytes of one 20 ms frame.</summary>
    public abstract int BytesPerFrame { get; }
    /// <summary>Largest PCM sample count a received payload may decode to.</summary>
    public int MaxSamplesPerPacket => SampleRate * MaxPacketMilliseconds / 1000;

    /// <summary>Largest payload accepted on receive: <see cref="MaxPacketMilliseconds"/> of audio.</summary>
    public int MaxPayloadBytes => BytesPerFrame * MaxPacketMilliseconds / 20;

    /// <summary>Encodes one frame of <see cref="SamplesPerFrame"/> samples; returns the payload length.</summary>
    public abstract int Encode(ReadOnlySpan<short> frame, Span<byte> payload);

    /// <summary>Decodes a payload; returns the number of samples written.</summary>
    public abstract int Decode(ReadOnlySpan<byte> payload, Span<short> samples);

    /// <summary>How many samples a payload of <paramref name="payloadBytes"/> decodes to.</summary>
    public abstract int SamplesIn(int payloadBytes);

    public static bool IsSupported(AudioCodec codec) =>
        codec.SameCodecAs(AudioCodec.Pcmu) || codec.SameCodecAs(AudioCodec.Pcma) || codec.SameCodecAs(AudioCodec.G722);

    public static VoiceCodec Create(AudioCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (codec.SameCodecAs(AudioCodec.Pcmu)) return new PcmuVoiceCodec();
        if (codec.SameCodecAs(AudioCodec.Pcma)) return new PcmaVoiceCodec();
        if (codec.SameCodecAs(AudioCodec.G722)) return new G722VoiceCodec();
        throw new NotSupportedException($"No voice codec for {codec.EncodingName}/{codec.ClockRate}.");
    }
}

internal sealed class PcmuVoiceCodec : VoiceCodec
{
    public override AudioCodec Codec => AudioCodec.Pcmu;
    public override int BytesPerFrame => 160;
    public override int Encode(ReadOnlySpan<short> frame, Span<byte> payload) => MuLaw.Encode(frame, payload);
    public override int Decode(ReadOnlySpan<byte> payload, Span<short> samples) => MuLaw.Decode(payload, samples);
    public override int SamplesIn(int payloadBytes) => payloadBytes;
}

internal sealed class PcmaVoiceCodec : VoiceCodec
{
    public override AudioCodec Codec => AudioCodec.Pcma;
    public override int BytesPerFrame => 160;
    public override int Encode(ReadOnlySpan<short> frame, Span<byte> payload) => ALaw.Encode(frame, payload);
    public override int Decode(ReadOnlySpan<byte> payload, Span<short> samples) => ALaw.Decode(payload, samples);
    public override int SamplesIn(int payloadBytes) => payloadBytes;
}

internal sealed class G722VoiceCodec : VoiceCodec
{
    private readonly G722Encoder _encoder = new();
    private readonly G722Decoder _decoder = new();
    public override AudioCodec Codec => AudioCodec.G722;
    public override int BytesPerFrame => 160;
    public override int Encode(ReadOnlySpan<short> frame, Span<byte> payload) => _encoder.Encode(frame, payload);
    public override int Decode(ReadOnlySpan<byte> payload, Span<short> samples) => _decoder.Decode(payload, samples);
    public override int SamplesIn(int payloadBytes) => payloadBytes * 2;
}
