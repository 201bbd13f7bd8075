namespace Pbx.Media.Tests.Support;

/// <summary>Synthetic test signals and measurements.</summary>
internal static class Signals
{
    public static short[] Sine(double frequency, double amplitude, int sampleRate, int count, double phase = 0)
    {
        var samples = new short[count];
        for (var i = 0; i < count; i++) samples[i] = (short)Math.Round(amplitude * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + phase));
        return samples;
    }

    /// <summary>Power of <paramref name="frequency"/> in the block, as the mean square of that sinusoid (A²/2).</summary>
    public static double TonePower(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0;
        foreach (var sample in samples)
        {
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }
        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        return 2 * power / ((double)samples.Length * samples.Length);
    }

    public static double MeanSquare(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var sample in samples) sum += (double)sample * sample;
        return samples.IsEmpty ? 0 : sum / samples.Length;
    }

    /// <summary>Best signal-to-noise ratio of <paramref name="actual"/> against <paramref name="expected"/> over delays 0..maxDelay.</summary>
    public static (double SnrDb, int Delay) BestSnr(ReadOnlySpan<short> expected, ReadOnlySpan<short> actual, int maxDelay, int skip)
    {
        var best = double.NegativeInfinity;
        var bestDelay = 0;
        for (var delay = 0; delay <= maxDelay; delay++)
        {
            double signal = 0, noise = 0;
            for (var i = skip; i + delay < actual.Length && i < expected.Length; i++)
            {
                double e = expected[i];
                double error = actual[i + delay] - e;
                signal += e * e;
                noise += error * error;
            }
            var snr = 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
            if (snr > best)
            {
                best = snr;
                bestDelay = delay;
            }
        }
        return (best, bestDelay);
    }

    public static short[] AddWhiteNoise(ReadOnlySpan<short> samples, double noiseRms, int seed)
    {
        var random = new Random(seed);
        var noisy = new short[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            // Box-Muller for Gaussian noise.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var gaussian = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            noisy[i] = (short)Math.Clamp(Math.Round(samples[i] + (noiseRms * gaussian)), short.MinValue, short.MaxValue);
        }
        return noisy;
    }
}
