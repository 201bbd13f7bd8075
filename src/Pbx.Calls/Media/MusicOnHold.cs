using Pbx.Media.Audio;
using Pbx.Media.Endpoint;

namespace Pbx.Calls.Media;

/// <summary>
/// What held parties hear: the configured WAV file (PCM 8/16 kHz or G.711, mono), or, without one, a calm melody
/// synthesised here, so the daemon ships no audio file that no script or code explains.
/// </summary>
public sealed class MusicOnHold(WavAudio audio)
{
    public WavAudio Audio { get; } = audio;

    /// <summary>A new looping reader; each held call gets its own position.</summary>
    public IAudioSource CreateSource() => new WavAudioSource(Audio, loop: true);

    /// <summary>The file's music, or the built-in melody with the reason when the file cannot be used.</summary>
    public static MusicOnHold Load(string? path, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(path)) return new MusicOnHold(Synthesize());
        var read = WavReader.ReadFile(path);
        if (read.Audio is { } audio && audio.Samples.Length > 0) return new MusicOnHold(audio);
        problem = read.Error ?? "the file holds no samples";
        return new MusicOnHold(Synthesize());
    }

    /// <summary>
    /// A broken-chord loop (C major, A minor, F major, G major), each note 300 ms with a soft attack and decay, at about
    /// -20 dBFS: recognisably music, not a tone a phone could mistake for busy or ringback.
    /// </summary>
    public static WavAudio Synthesize()
    {
        const int rate = 8000;
        double[][] chords =
        [
            [261.63, 329.63, 392.00, 329.63],
            [220.00, 261.63, 329.63, 261.63],
            [174.61, 220.00, 261.63, 220.00],
            [196.00, 246.94, 293.66, 246.94],
        ];
        var noteSamples = rate * 300 / 1000;
        var samples = new short[chords.Length * 4 * noteSamples];
        var offset = 0;
        foreach (var chord in chords)
        {
            foreach (var frequency in chord)
            {
                for (var i = 0; i < noteSamples; i++)
                {
                    var attack = Math.Min(1.0, i / (rate * 0.02));
                    var decay = Math.Exp(-3.0 * i / noteSamples);
                    var tone = Math.Sin(2 * Math.PI * frequency * i / rate) + 0.3 * Math.Sin(4 * Math.PI * frequency * i / rate);
                    samples[offset + i] = (short)(3000 * attack * decay * tone);
                }
                offset += noteSamples;
            }
        }
        return new WavAudio(rate, WavEncoding.Pcm16, samples);
    }
}
