using Pbx.Media.Audio;
using Pbx.Media.Timing;

namespace Pbx.Media.Mixing;

/// <summary>
/// One participant of a room: the port plus the mixer's per-participant buffers and resamplers, all allocated at
/// join so a tick allocates nothing. Mute is read by the tick thread and may be set from any thread.
/// </summary>
public sealed class ConferenceParticipant
{
    internal const int MaxFrameSamples = 320;
    private readonly short[] _native = new short[MaxFrameSamples];
    private readonly short[] _mixRate = new short[MaxFrameSamples];
    private readonly short[] _output = new short[MaxFrameSamples];
    private readonly Upsampler8To16 _upsampler = new();
    private readonly Downsampler16To8 _downsampler = new();
    private volatile bool _muted;

    internal ConferenceParticipant(ConferenceRoom room, IConferenceAudioPort port, string? label)
    {
        Room = room;
        Port = port;
        Label = label ?? $"participant-{port.GetHashCode():x8}";
        NativeSamples = port.SampleRate / 50;
    }

    public ConferenceRoom Room { get; }
    public IConferenceAudioPort Port { get; }
    public string Label { get; }
    public bool IsWideband => Port.SampleRate == 16000;

    /// <summary>A muted participant is still read (its jitter buffer drains, its DTMF is detected) but not heard.</summary>
    public bool IsMuted
    {
        get => _muted;
        set => _muted = value;
    }

    internal int NativeSamples { get; }

    /// <summary>True when this tick's input is part of the room sum.</summary>
    internal bool Contributes { get; private set; }

    /// <summary>This tick's input at the room's mix rate.</summary>
    internal ReadOnlySpan<short> Input(int mixSamples) => _mixRate.AsSpan(0, mixSamples);

    internal void ReadInput(in MediaTick tick, int mixSamples)
    {
        var native = _native.AsSpan(0, NativeSamples);
        var hadAudio = Port.ReadFrame(tick, native);
        Contributes = hadAudio && !_muted;
        if (!Contributes) return;
        if (mixSamples == NativeSamples) native.CopyTo(_mixRate);
        else _upsampler.Process(native, _mixRate);
    }

    /// <summary>Writes sum − own input, soft-clipped, converted to the participant's rate.</summary>
    internal void WriteOutput(in MediaTick tick, ReadOnlySpan<int> sum)
    {
        var mix = _output.AsSpan(0, sum.Length);
        if (Contributes)
        {
            var own = _mixRate.AsSpan(0, sum.Length);
            for (var i = 0; i < mix.Length; i++) mix[i] = MixBuffers.SoftClip(sum[i] - own[i]);
        }
        else
        {
            for (var i = 0; i < mix.Length; i++) mix[i] = MixBuffers.SoftClip(sum[i]);
        }
        if (sum.Length == NativeSamples)
        {
            Port.WriteFrame(tick, mix);
            return;
        }
        var native = _native.AsSpan(0, NativeSamples);
        _downsampler.Process(mix, native);
        Port.WriteFrame(tick, native);
    }
}
