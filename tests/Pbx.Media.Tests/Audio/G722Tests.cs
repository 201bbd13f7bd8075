using Pbx.Media.Codecs;
using Pbx.Media.Tests.Support;

namespace Pbx.Media.Tests.Audio;

public sealed class G722Tests
{
    [Theory]
    [InlineData(300, 8000, 50)]
    [InlineData(1000, 10000, 40)]
    [InlineData(3000, 6000, 35)]
    [InlineData(6000, 4000, 20)] // the higher sub-band has only 2 bits per sample
    public void Round_trip_of_a_sine_keeps_a_high_signal_to_noise_ratio(double frequency, double amplitude, double minimumSnrDb)
    {
        var input = Signals.Sine(frequency, amplitude, 16000, 16000);
        var encoded = new byte[input.Length / 2];
        var decoded = new short[input.Length];

        Assert.Equal(8000, new G722Encoder().Encode(input, encoded));
        Assert.Equal(16000, new G722Decoder().Decode(encoded, decoded));

        var (snr, delay) = Signals.BestSnr(input, decoded, 64, 1600);
        Assert.True(snr > minimumSnrDb, $"SNR {snr:F1} dB at delay {delay}");
    }

    [Fact]
    public void Encoding_in_20_ms_frames_equals_encoding_in_one_go_because_state_carries_over()
    {
        var input = Signals.Sine(1234, 9000, 16000, 3200);
        var whole = new byte[1600];
        new G722Encoder().Encode(input, whole);

        var framed = new byte[1600];
        var encoder = new G722Encoder();
        for (var frame = 0; frame < 10; frame++) encoder.Encode(input.AsSpan(frame * 320, 320), framed.AsSpan(frame * 160, 160));

        Assert.Equal(whole, framed);
    }

    [Fact]
    public void Silence_decodes_to_near_silence_and_reset_restores_the_initial_state()
    {
        var silence = new short[3200];
        var encoder = new G722Encoder();
        var first = new byte[1600];
        encoder.Encode(Signals.Sine(500, 20000, 16000, 3200), first);
        encoder.Reset();
        var afterReset = new byte[1600];
        encoder.Encode(silence, afterReset);
        var fresh = new byte[1600];
        new G722Encoder().Encode(silence, fresh);
        Assert.Equal(fresh, afterReset);

        var decoded = new short[3200];
        new G722Decoder().Decode(fresh, decoded);
        Assert.True(decoded.Skip(320).All(sample => Math.Abs((int)sample) < 64), "silence must stay below -54 dBFS");
    }

    [Fact]
    public void Full_scale_input_never_overflows()
    {
        var square = new short[1600];
        for (var i = 0; i < square.Length; i++) square[i] = (i / 8 % 2 == 0) ? short.MaxValue : short.MinValue;
        var encoded = new byte[800];
        var decoded = new short[1600];
        new G722Encoder().Encode(square, encoded);
        new G722Decoder().Decode(encoded, decoded);
        // A 1 kHz square wave at full scale: the decoded fundamental must keep its sign pattern, not wrap around.
        var correlation = 0.0;
        for (var i = 100; i < 1500; i++) correlation += (double)square[i] * decoded[i + 22];
        Assert.True(correlation > 0);
    }
}
