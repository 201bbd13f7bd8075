using Pbx.Media.Audio;
using Pbx.Media.Tones;

namespace Pbx.Media.Endpoint;

/// <summary>Something an endpoint plays: produces consecutive frames of 16-bit PCM at its <see cref="SampleRate"/>.</summary>
public interface IAudioSource
{
    int SampleRate { get; }

    /// <summary>Fills the frame; false once the source has ended (the frame is then silence).</summary>
    bool Read(Span<short> frame);
}

/// <summary>Plays decoded WAV samples once or in a loop.</summary>
public sealed class WavAudioSource(WavAudio audio, bool loop) : IAudioSource
{
    private readonly short[] _samples = audio.Samples;
    private int _position;

    public int SampleRate { get; } = audio.SampleRate;

    public bool Read(Span<short> frame)
    {
        var written = 0;
        while (written < frame.Length)
        {
            if (_position >= _samples.Length)
            {
                if (!loop || _samples.Length == 0)
                {
                    frame[written..].Clear();
                    return written > 0;
                }
                _position = 0;
            }
            var count = Math.Min(frame.Length - written, _samples.Length - _position);
            _samples.AsSpan(_position, count).CopyTo(frame[written..]);
            _position += count;
            written += count;
        }
        return true;
    }
}

/// <summary>A call-progress tone; ends only if the tone spec does not repeat.</summary>
public sealed class ToneAudioSource(ToneSpec spec, int sampleRate) : IAudioSource
{
    private readonly ToneGenerator _generator = new(spec, sampleRate);

    public int SampleRate => _generator.SampleRate;

    public bool Read(Span<short> frame)
    {
        if (_generator.IsFinished)
        {
            frame.Clear();
            return false;
        }
        _generator.Fill(frame);
        return true;
    }
}

/// <summary>Endless silence.</summary>
public sealed class SilenceAudioSource(int sampleRate) : IAudioSource
{
    public int SampleRate { get; } = sampleRate;

    public bool Read(Span<short> frame)
    {
        frame.Clear();
        return true;
    }
}

/// <summary>Adapts a source to the other telephony rate (8 ↔ 16 kHz) with the FIR resamplers.</summary>
internal sealed class ResamplingAudioSource : IAudioSource
{
    private readonly IAudioSource _inner;
    private readonly Upsampler8To16? _up;
    private readonly Downsampler16To8? _down;
    private readonly short[] _innerFrame;

    public ResamplingAudioSource(IAudioSource inner, int sampleRate, int maxFrameSamples)
    {
        _inner = inner;
        SampleRate = sampleRate;
        if (inner.SampleRate == 8000 && sampleRate == 16000) _up = new Upsampler8To16();
        else if (inner.SampleRate == 16000 && sampleRate == 8000) _down = new Downsampler16To8();
        else throw new NotSupportedException($"Cannot resample {inner.SampleRate} Hz to {sampleRate} Hz.");
        _innerFrame = new short[maxFrameSamples * 2];
    }

    public int SampleRate { get; }

    public bool Read(Span<short> frame)
    {
        if (_up is not null)
        {
            var inner = _innerFrame.AsSpan(0, frame.Length / 2);
            var more = _inner.Read(inner);
            _up.Process(inner, frame);
            return more;
        }
        var wide = _innerFrame.AsSpan(0, frame.Length * 2);
        var hasMore = _inner.Read(wide);
        _down!.Process(wide, frame);
        return hasMore;
    }

    public static IAudioSource Adapt(IAudioSource source, int sampleRate, int maxFrameSamples) =>
        source.SampleRate == sampleRate ? source : new ResamplingAudioSource(source, sampleRate, maxFrameSamples);
}
