using Pbx.Media.Audio;
using Pbx.Media.Tests.Support;

namespace Pbx.Media.Tests.Audio;

public sealed class ResamplerTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Downsampling_keeps_telephone_band_tones_at_their_level(double frequency)
    {
        var input = Signals.Sine(frequency, 10000, 16000, 3200);
        var output = Downsample(input);
        var power = Signals.TonePower(output.AsSpan(200), frequency, 8000);
        var expected = 10000.0 * 10000 / 2;
        Assert.InRange(10 * Math.Log10(power / expected), -0.5, 0.5);
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(6000)]
    [InlineData(7000)]
    public void Downsampling_removes_tones_above_4_kHz_instead_of_folding_them_back(double frequency)
    {
        var input = Signals.Sine(frequency, 10000, 16000, 3200);
        var output = Downsample(input);
        // A plain decimation would fold 5/6/7 kHz onto 3/2/1 kHz at full level; the filter must push it below -50 dB.
        var residual = Signals.MeanSquare(output.AsSpan(200));
        Assert.True(10 * Math.Log10(residual / (10000.0 * 10000 / 2)) < -50, $"residual {residual}");
    }

    [Fact]
    public void Upsampling_keeps_the_tone_and_leaves_no_image_above_4_kHz()
    {
        var input = Signals.Sine(1000, 10000, 8000, 1600);
        var output = new short[3200];
        var upsampler = new Upsampler8To16();
        for (var frame = 0; frame < 10; frame++) upsampler.Process(input.AsSpan(frame * 160, 160), output.AsSpan(frame * 320, 320));

        var tail = output.AsSpan(400);
        var tone = Signals.TonePower(tail, 1000, 16000);
        Assert.InRange(10 * Math.Log10(tone / (10000.0 * 10000 / 2)), -0.5, 0.5);
        // Zero-stuffing creates a mirror image at 8000 - 1000 = 7000 Hz; the low-pass must remove it.
        var image = Signals.TonePower(tail, 7000, 16000);
        Assert.True(10 * Math.Log10(image / tone) < -50, $"image {image}, tone {tone}");
    }

    [Fact]
    public void Round_trip_through_both_resamplers_is_transparent_in_the_telephone_band()
    {
        var input = Signals.Sine(800, 12000, 8000, 1600);
        var wide = new short[3200];
        var back = new short[1600];
        new Upsampler8To16().Process(input, wide);
        new Downsampler16To8().Process(wide, back);
        var (snr, _) = Signals.BestSnr(input, back, 80, 100);
        Assert.True(snr > 35, $"SNR {snr:F1} dB");
    }

    private static short[] Downsample(short[] input)
    {
        var output = new short[input.Length / 2];
        var downsampler = new Downsampler16To8();
        for (var frame = 0; frame < input.Length / 320; frame++)
        {
            Assert.Equal(160, downsampler.Process(input.AsSpan(frame * 320, 320), output.AsSpan(frame * 160, 160)));
        }
        return output;
    }
}
