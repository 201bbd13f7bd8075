using Pbx.Media.Codecs;

namespace Pbx.Media.Tests.Rtp;

public class G711Tests
{
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(8, 0xFE)]
    [InlineData(-8, 0x7E)]
    [InlineData(16, 0xFD)]
    public void MuLaw_encodes_known_values(short sample, byte expected) => Assert.Equal(expected, MuLaw.Encode(sample));

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xFE, 8)]
    [InlineData(0xEF, 132)]
    [InlineData(0x8F, 16764)]
    public void MuLaw_decodes_known_values(byte code, short expected) => Assert.Equal(expected, MuLaw.Decode(code));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    public void ALaw_encodes_known_values(short sample, byte expected) => Assert.Equal(expected, ALaw.Encode(sample));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    [InlineData(0xA5, 16896)]
    [InlineData(0x85, 4224)]
    public void ALaw_decodes_known_values(byte code, short expected) => Assert.Equal(expected, ALaw.Decode(code));

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, ALaw.Encode(ALaw.Decode((byte)code)));
            // µ-law has two zeros (0x7F and 0xFF); the encoder produces 0xFF.
            var expectedMuLaw = code == 0x7F ? 0xFF : code;
            Assert.Equal((byte)expectedMuLaw, MuLaw.Encode(MuLaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void Quantisation_error_is_within_half_a_step_and_monotonic()
    {
        var previousMu = short.MinValue;
        var previousA = short.MinValue;
        for (int sample = short.MinValue; sample <= short.MaxValue; sample += 7)
        {
            var s = (short)sample;
            var mu = MuLaw.Decode(MuLaw.Encode(s));
            var a = ALaw.Decode(ALaw.Encode(s));
            // The largest steps are 1024 (µ-law) and 1024 (A-law) in the top segment; clipping adds a little at the ends.
            Assert.InRange(Math.Abs(mu - s), 0, 1024);
            Assert.InRange(Math.Abs(a - s), 0, 1024);
            Assert.True(mu >= previousMu && a >= previousA);
            previousMu = mu;
            previousA = a;
        }
    }

    [Fact]
    public void Span_overloads_match_scalar_calls()
    {
        short[] samples = [0, 100, -100, 1000, -1000, 30000, -30000];
        var mu = new byte[samples.Length];
        var a = new byte[samples.Length];
        Assert.Equal(samples.Length, MuLaw.Encode(samples, mu));
        Assert.Equal(samples.Length, ALaw.Encode(samples, a));
        var muBack = new short[samples.Length];
        var aBack = new short[samples.Length];
        MuLaw.Decode(mu, muBack);
        ALaw.Decode(a, aBack);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(MuLaw.Encode(samples[i]), mu[i]);
            Assert.Equal(ALaw.Encode(samples[i]), a[i]);
            Assert.Equal(MuLaw.Decode(mu[i]), muBack[i]);
            Assert.Equal(ALaw.Decode(a[i]), aBack[i]);
        }
        Assert.Equal(2, MuLaw.Encode(samples, new byte[2]));
    }
}
