namespace Pbx.Media.Audio;

/// <summary>
/// The anti-aliasing / anti-imaging low-pass shared by the 16 kHz ↔ 8 kHz resamplers: a 64-tap Kaiser-windowed
/// sinc (β 5.65, about 60 dB stop-band) at 16 kHz with its -6 dB point at 3.8 kHz. That keeps the telephone band
/// (300-3400 Hz) flat and puts the stop band from about 4.3 kHz, so little folds back into the audible 8 kHz band.
/// Coefficients are split into the two polyphase branches (even and odd taps) used by both directions.
/// </summary>
internal static class HalfRateFilter
{
    public const int Taps = 64;
    public const int BranchTaps = Taps / 2;
    private const double CutoffHz = 3800;
    private const double SampleRate = 16000;
    private const double KaiserBeta = 5.65;

    /// <summary>h[0], h[2], ... h[62].</summary>
    public static readonly float[] EvenBranch;
    /// <summary>h[1], h[3], ... h[63].</summary>
    public static readonly float[] OddBranch;

    static HalfRateFilter()
    {
        var taps = Design();
        EvenBranch = new float[BranchTaps];
        OddBranch = new float[BranchTaps];
        for (var i = 0; i < BranchTaps; i++)
        {
            EvenBranch[i] = (float)taps[2 * i];
            OddBranch[i] = (float)taps[(2 * i) + 1];
        }
    }

    private static double[] Design()
    {
        var taps = new double[Taps];
        var center = (Taps - 1) / 2.0;
        var normalizedCutoff = CutoffHz / SampleRate;
        var sum = 0.0;
        for (var n = 0; n < Taps; n++)
        {
            var t = n - center;
            var sinc = 2 * normalizedCutoff * Sinc(2 * normalizedCutoff * t);
            var ratio = t / center;
            var window = BesselI0(KaiserBeta * Math.Sqrt(Math.Max(0, 1 - (ratio * ratio)))) / BesselI0(KaiserBeta);
            taps[n] = sinc * window;
            sum += taps[n];
        }
        // Unity gain at DC.
        for (var n = 0; n < Taps; n++) taps[n] /= sum;
        return taps;
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (var k = 1; k < 50; k++)
        {
            term *= x / (2 * k) * (x / (2 * k));
            sum += term;
            if (term < 1e-12 * sum) break;
        }
        return sum;
    }

    public static short Saturate(float value) =>
        value >= short.MaxValue ? short.MaxValue : value <= short.MinValue ? short.MinValue : (short)MathF.Round(value);
}
