using Pbx.Media.Tests.Support;
using Pbx.Media.Tones;

namespace Pbx.Media.Tests.Tones;

public sealed class ToneGeneratorTests
{
    [Theory]
    [InlineData("DE", ToneKind.Ringback, 425, 0, 1000, 4000)]
    [InlineData("DE", ToneKind.Busy, 425, 0, 480, 480)]
    [InlineData("DE", ToneKind.Congestion, 425, 0, 240, 240)]
    [InlineData("US", ToneKind.Ringback, 440, 480, 2000, 4000)]
    [InlineData("US", ToneKind.Busy, 480, 620, 500, 500)]
    [InlineData("US", ToneKind.Congestion, 480, 620, 250, 250)]
    [InlineData("FR", ToneKind.Ringback, 440, 0, 1500, 3500)]
    [InlineData("FR", ToneKind.Busy, 440, 0, 500, 500)]
    public void Cadence_and_frequencies_match_the_tone_plan(string country, ToneKind kind, double f1, double f2, int onMs, int offMs)
    {
        Assert.True(TonePlan.TryGet(country, out var plan));
        var generator = new ToneGenerator(plan[kind]);
        var cycleSamples = (onMs + offMs) * 8;
        var audio = Render(generator, 2 * cycleSamples);

        // The "on" part starts at sample 0 and lasts exactly onMs; then silence for offMs; then it repeats.
        Assert.Equal(onMs * 8, LengthOfSound(audio, 0));
        Assert.True(audio.AsSpan(onMs * 8, offMs * 8).ToArray().All(sample => sample == 0));
        Assert.Equal(onMs * 8, LengthOfSound(audio, cycleSamples));

        var on = audio.AsSpan(0, Math.Min(onMs * 8, 1600));
        var expectedPeak = plan[kind].PeakAmplitude;
        var expectedPower = expectedPeak * expectedPeak / 2;
        Assert.InRange(Signals.TonePower(on, f1, 8000) / expectedPower, 0.9, 1.1);
        if (f2 > 0) Assert.InRange(Signals.TonePower(on, f2, 8000) / expectedPower, 0.9, 1.1);
        Assert.True(Signals.TonePower(on, 1000, 8000) < expectedPower / 1000, "no energy away from the tone frequencies");
    }

    [Theory]
    [InlineData("DE", 425, 0)]
    [InlineData("US", 350, 440)]
    [InlineData("FR", 440, 0)]
    public void Dial_tone_is_continuous(string country, double f1, double f2)
    {
        Assert.True(TonePlan.TryGet(country, out var plan));
        var audio = Render(new ToneGenerator(plan[ToneKind.Dial]), 80000);
        Assert.Equal(80000, LengthOfSound(audio, 0));
        Assert.True(Signals.TonePower(audio, f1, 8000) > 1e5);
        if (f2 > 0) Assert.True(Signals.TonePower(audio, f2, 8000) > 1e5);
    }

    [Fact]
    public void German_call_waiting_is_two_short_beeps_then_a_long_pause()
    {
        var audio = Render(new ToneGenerator(TonePlan.Germany[ToneKind.CallWaiting]), 5600 * 8);
        Assert.Equal(1600, LengthOfSound(audio, 0));
        Assert.Equal(1600, LengthOfSound(audio, 3200));
        Assert.True(audio.AsSpan(4800, 5000 * 8).ToArray().All(sample => sample == 0));
    }

    [Fact]
    public void Frames_join_without_phase_jumps_whatever_the_frame_size()
    {
        var spec = TonePlan.UnitedStates[ToneKind.Dial];
        var whole = new short[8000];
        new ToneGenerator(spec).Fill(whole);

        var framed = new short[8000];
        var generator = new ToneGenerator(spec);
        var position = 0;
        var sizes = new[] { 160, 7, 333, 1, 80 };
        for (var i = 0; position < framed.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], framed.Length - position);
            generator.Fill(framed.AsSpan(position, size));
            position += size;
        }
        Assert.Equal(whole, framed);
        // The largest step of a 350+440 Hz sum at this level is bounded by its slope; a phase reset would exceed it.
        var maxStep = whole.Zip(whole.Skip(1), (a, b) => Math.Abs(b - a)).Max();
        Assert.True(maxStep < 2 * spec.PeakAmplitude * 2 * Math.PI * 440 / 8000);
    }

    [Fact]
    public void Phase_continues_through_the_silent_part_of_the_cadence()
    {
        var spec = TonePlan.Germany[ToneKind.Busy];
        var audio = Render(new ToneGenerator(spec), 2 * 960 * 8);
        // The second burst starts 960 ms in, where a free-running 425 Hz oscillator is at phase 2π·425·0.96.
        var expected = spec.PeakAmplitude * Math.Sin(2 * Math.PI * 425 * 0.96 + (2 * Math.PI * 425 / 8000));
        Assert.InRange(audio[(960 * 8) + 1], expected - 2, expected + 2);
    }

    [Fact]
    public void Wideband_generation_works_at_16_kHz_and_one_shot_tones_finish()
    {
        var beep = new ToneSpec(1000, 0, -10, [100], repeats: false);
        var generator = new ToneGenerator(beep, 16000);
        var audio = Render(generator, 3200);
        Assert.Equal(1600, LengthOfSound(audio, 0));
        Assert.True(generator.IsFinished);
        Assert.True(audio.Skip(1600).All(sample => sample == 0));
    }

    [Fact]
    public void Filling_frames_does_not_allocate()
    {
        var generator = new ToneGenerator(TonePlan.UnitedStates[ToneKind.Ringback]);
        var frame = new short[160];
        generator.Fill(frame);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) generator.Fill(frame);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Invalid_specs_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneSpec(0, 0, -10, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneSpec(425, 0, -10, [100, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneGenerator(ToneSpec.Continuous(5000, 0, -10), 8000));
        Assert.False(TonePlan.TryGet("XX", out _));
    }

    private static short[] Render(ToneGenerator generator, int samples)
    {
        var audio = new short[samples];
        for (var position = 0; position < samples; position += 160) generator.Fill(audio.AsSpan(position, Math.Min(160, samples - position)));
        return audio;
    }

    /// <summary>Samples from <paramref name="start"/> up to the first run of 8 zero samples (a sine has isolated zeros only).</summary>
    private static int LengthOfSound(short[] audio, int start)
    {
        var zeros = 0;
        for (var i = start; i < audio.Length; i++)
        {
            zeros = audio[i] == 0 ? zeros + 1 : 0;
            if (zeros == 8) return i - 7 - start;
        }
        return audio.Length - start;
    }
}
