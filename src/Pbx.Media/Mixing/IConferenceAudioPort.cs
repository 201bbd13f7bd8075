using Pbx.Media.Timing;

namespace Pbx.Media.Mixing;

/// <summary>
/// A conference participant's audio as the mixer sees it: one 20 ms frame in and one out per tick, at the
/// participant's own codec rate (8000 Hz for G.711, 16000 Hz for G.722). <see cref="Endpoint.RtpMediaEndpoint"/>
/// implements it on top of its jitter buffer and RTP sender; tests and benchmarks use in-memory ports.
/// Both calls come from the mixer's tick, one after the other, never concurrently.
/// </summary>
public interface IConferenceAudioPort
{
    /// <summary>8000 or 16000.</summary>
    int SampleRate { get; }

    /// <summary>Fills the participant's next received frame; false when there was nothing (silence written).</summary>
    bool ReadFrame(in MediaTick tick, Span<short> frame);

    /// <summary>Sends the participant what it should hear during this tick.</summary>
    void WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame);

    /// <summary>The mixer takes over (true) or hands back (false) the port's per-tick audio.</summary>
    void OnMixerAttached(bool attached);
}
