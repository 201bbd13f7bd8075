namespace Pbx.Media.Timing;

/// <summary>
/// One 20 ms media tick. <see cref="Number"/> counts periods since the ticker started, including skipped ones, so
/// a consumer can derive RTP timestamps from it and stay aligned with real time after a stall.
/// </summary>
/// <param name="Number">Index of the period this tick stands for (0 for the first).</param>
/// <param name="Lateness">How long after its deadline the tick actually ran.</param>
public readonly record struct MediaTick(long Number, TimeSpan Lateness);

/// <summary>Something driven by the media clock: an endpoint's sender, the conference mixer.</summary>
public interface IMediaTickHandler
{
    /// <summary>Runs on the ticker's thread; must not block and should not allocate.</summary>
    void OnTick(in MediaTick tick);
}
