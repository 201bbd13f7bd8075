namespace Pbx.Media.Tones;

/// <summary>The call-progress tones a PBX plays to a caller.</summary>
public enum ToneKind
{
    Dial,
    Ringback,
    Busy,
    Congestion,
    CallWaiting,
}

/// <summary>
/// One tone: up to two frequencies added together, each at <see cref="LevelDbm0"/>, switched on and off by a
/// cadence. <see cref="CadenceMs"/> alternates on and off durations starting with on; empty means continuous.
/// When <see cref="Repeats"/> is false the tone ends after one pass of the cadence.
/// </summary>
public sealed class ToneSpec
{
    public ToneSpec(double frequency1, double frequency2, double levelDbm0, IReadOnlyList<int> cadenceMs, bool repeats = true)
    {
        ArgumentNullException.ThrowIfNull(cadenceMs);
        if (frequency1 <= 0 || frequency2 < 0) throw new ArgumentOutOfRangeException(nameof(frequency1), "Frequencies must be positive (frequency2 may be 0 for a single tone).");
        if (levelDbm0 > 3) throw new ArgumentOutOfRangeException(nameof(levelDbm0), "Levels above +3 dBm0 would clip G.711.");
        if (cadenceMs.Any(duration => duration <= 0)) throw new ArgumentOutOfRangeException(nameof(cadenceMs), "Cadence durations must be positive.");
        Frequency1 = frequency1;
        Frequency2 = frequency2;
        LevelDbm0 = levelDbm0;
        CadenceMs = [.. cadenceMs];
        Repeats = repeats;
    }

    public double Frequency1 { get; }
    /// <summary>0 for a single-frequency tone.</summary>
    public double Frequency2 { get; }
    public double LevelDbm0 { get; }
    public IReadOnlyList<int> CadenceMs { get; }
    public bool Repeats { get; }
    public bool IsContinuous => CadenceMs.Count == 0;

    /// <summary>
    /// Peak amplitude of one component in 16-bit PCM. 0 dBm0 is the G.711 reference sine, 3.17 dB below the
    /// largest sine G.711 can carry (peak 32 636 as µ-law decodes it), so about 22 650 peak.
    /// </summary>
    public double PeakAmplitude => 22650 * Math.Pow(10, LevelDbm0 / 20);

    public static ToneSpec Continuous(double frequency1, double frequency2, double levelDbm0) => new(frequency1, frequency2, levelDbm0, []);

    public static ToneSpec Cadenced(double frequency1, double frequency2, double levelDbm0, params int[] cadenceMs) =>
        new(frequency1, frequency2, levelDbm0, cadenceMs);
}
