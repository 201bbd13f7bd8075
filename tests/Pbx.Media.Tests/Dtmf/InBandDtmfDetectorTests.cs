using Pbx.Media.Dtmf;
using Pbx.Media.Tests.Support;

namespace Pbx.Media.Tests.Dtmf;

public sealed class InBandDtmfDetectorTests
{
    [Fact]
    public void Every_digit_is_detected_exactly_once()
    {
        Assert.Equal(DtmfSignals.AllDigits, Detect(DtmfSignals.Sequence(DtmfSignals.AllDigits)));
    }

    [Fact]
    public void Repeated_digits_separated_by_a_gap_are_reported_each_time()
    {
        Assert.Equal("5559", Detect(DtmfSignals.Sequence("5559", toneMs: 60, gapMs: 50)));
    }

    [Theory]
    [InlineData(20, 1)]
    [InlineData(10, 2)]
    [InlineData(10, 3)]
    public void Digits_in_white_noise_are_detected(double snrDb, int seed)
    {
        var clean = DtmfSignals.Sequence(DtmfSignals.AllDigits, toneMs: 70, gapMs: 70);
        // Noise power relative to the two-tone signal power (2 · A²/2).
        var noiseRms = Math.Sqrt(7000.0 * 7000 / Math.Pow(10, snrDb / 10));
        Assert.Equal(DtmfSignals.AllDigits, Detect(Signals.AddWhiteNoise(clean, noiseRms, seed)));
    }

    [Fact]
    public void White_noise_alone_produces_no_digit()
    {
        Assert.Equal("", Detect(Signals.AddWhiteNoise(new short[80000], 3000, 11)));
    }

    [Theory]
    [InlineData(7000, 1400)] // low group 14 dB louder
    [InlineData(1400, 7000)] // high group 14 dB louder
    [InlineData(7000, 3100)] // low group 7 dB louder: standard twist within 8 dB is accepted below
    public void Twist_limits_are_enforced(double lowAmplitude, double highAmplitude)
    {
        var excessDb = 20 * Math.Log10(lowAmplitude / highAmplitude);
        var accepted = excessDb is <= 8 and >= -4;
        var signal = DtmfSignals.Digit('7', 100, 100, lowAmplitude, highAmplitude);
        Assert.Equal(accepted ? "7" : "", Detect(signal));
    }

    [Fact]
    public void A_440_Hz_tone_is_not_a_digit()
    {
        Assert.Equal("", Detect(Signals.Sine(440, 10000, 8000, 16000)));
    }

    [Fact]
    public void Harmonic_rich_signal_on_a_row_and_column_is_rejected_as_speech()
    {
        // 941 + 1209 Hz ('*') with strong second harmonics at 1882 and 2418 Hz, like a voiced sound would have.
        var samples = new short[8000];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / 8000.0;
            samples[i] = (short)(5000 * (Math.Sin(2 * Math.PI * 941 * t) + Math.Sin(2 * Math.PI * 1209 * t)
                                         + Math.Sin(2 * Math.PI * 1882 * t) + Math.Sin(2 * Math.PI * 2418 * t)));
        }
        Assert.Equal("", Detect(samples));
        // The same without harmonics is a valid '*', so the rejection above is due to the harmonic check.
        Assert.Equal("*", Detect(DtmfSignals.Digit('*', 300, 50, 5000, 5000)));
    }

    [Theory]
    [InlineData(20, "")]
    [InlineData(45, "3")]
    public void Minimum_duration_is_enforced(int toneMs, string expected)
    {
        Assert.Equal(expected, Detect(DtmfSignals.Digit('3', toneMs, 100)));
    }

    [Fact]
    public void Tones_below_the_minimum_level_are_ignored()
    {
        // -40 dBm0 per frequency: peak 22650 · 10^(-2).
        Assert.Equal("", Detect(DtmfSignals.Digit('1', 200, 50, 226, 226)));
    }

    [Fact]
    public void Processing_does_not_allocate()
    {
        var detector = new InBandDtmfDetector();
        var signal = DtmfSignals.Sequence("123");
        Span<char> digits = stackalloc char[4];
        detector.Process(signal.AsSpan(0, 160), digits);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var offset = 160; offset + 160 <= signal.Length; offset += 160) detector.Process(signal.AsSpan(offset, 160), digits);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    internal static string Detect(short[] samples, int frame = 160)
    {
        var detector = new InBandDtmfDetector();
        var result = new System.Text.StringBuilder();
        Span<char> digits = stackalloc char[4];
        for (var offset = 0; offset < samples.Length; offset += frame)
        {
            var count = detector.Process(samples.AsSpan(offset, Math.Min(frame, samples.Length - offset)), digits);
            result.Append(digits[..count]);
        }
        return result.ToString();
    }
}
