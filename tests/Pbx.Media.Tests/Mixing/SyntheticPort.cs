using Pbx.Media.Mixing;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Mixing;

/// <summary>A participant that talks a sine (or silence) and records everything the mixer sends it.</summary>
internal sealed class SyntheticPort(int sampleRate, double frequency, double amplitude) : IConferenceAudioPort
{
    private long _position;

    public int SampleRate { get; } = sampleRate;
    public List<short> Heard { get; } = [];
    public List<long> WriteTicks { get; } = [];
    public bool Attached { get; private set; }
    public bool Silent { get; set; }

    public bool ReadFrame(in MediaTick tick, Span<short> frame)
    {
        if (Silent || amplitude == 0)
        {
            frame.Clear();
            _position += frame.Length;
            return false;
        }
        for (var i = 0; i < frame.Length; i++, _position++)
        {
            frame[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * _position / SampleRate));
        }
        return true;
    }

    public void WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame)
    {
        WriteTicks.Add(tick.Number);
        foreach (var sample in frame) Heard.Add(sample);
    }

    public void OnMixerAttached(bool attached) => Attached = attached;

    /// <summary>The last <paramref name="milliseconds"/> of what was heard.</summary>
    public short[] Tail(int milliseconds) => [.. Heard.Skip(Math.Max(0, Heard.Count - (SampleRate * milliseconds / 1000)))];
}
