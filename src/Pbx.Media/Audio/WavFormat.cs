namespace Pbx.Media.Audio;

/// <summary>Sample encodings a WAV file of ours may hold; everything is decoded to 16-bit linear PCM in memory.</summary>
public enum WavEncoding
{
    /// <summary>WAVE_FORMAT_PCM, 16-bit little-endian signed.</summary>
    Pcm16,
    /// <summary>WAVE_FORMAT_MULAW (7), 8-bit G.711 µ-law, 8 kHz.</summary>
    MuLaw,
    /// <summary>WAVE_FORMAT_ALAW (6), 8-bit G.711 A-law, 8 kHz.</summary>
    ALaw,
}

/// <summary>A decoded mono WAV: linear samples at <see cref="SampleRate"/>, and how the file stored them.</summary>
public sealed class WavAudio(int sampleRate, WavEncoding sourceEncoding, short[] samples)
{
    public int SampleRate { get; } = sampleRate;
    public WavEncoding SourceEncoding { get; } = sourceEncoding;
    public short[] Samples { get; } = samples;
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);
}

/// <summary>Outcome of reading a WAV file: either <see cref="Audio"/> or a human-readable <see cref="Error"/>.</summary>
public sealed class WavReadResult
{
    private WavReadResult(WavAudio? audio, string? error)
    {
        Audio = audio;
        Error = error;
    }

    public WavAudio? Audio { get; }
    public string? Error { get; }
    public bool IsSuccess => Audio is not null;

    internal static WavReadResult Ok(WavAudio audio) => new(audio, null);
    internal static WavReadResult Fail(string error) => new(null, error);
}

internal static class WavConstants
{
    public const ushort FormatPcm = 1;
    public const ushort FormatALaw = 6;
    public const ushort FormatMuLaw = 7;
    public const ushort FormatExtensible = 0xFFFE;
    public const int CanonicalHeaderSize = 44;
    public const int Telephony = 8000;
    public const int Wideband = 16000;

    public static int BytesPerSample(WavEncoding encoding) => encoding == WavEncoding.Pcm16 ? 2 : 1;

    public static ushort FormatTag(WavEncoding encoding) => encoding switch
    {
        WavEncoding.MuLaw => FormatMuLaw,
        WavEncoding.ALaw => FormatALaw,
        _ => FormatPcm,
    };
}
