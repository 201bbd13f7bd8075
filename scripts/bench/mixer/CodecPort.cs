using Pbx.Media.Codecs;
using Pbx.Media.Mixing;
using Pbx.Media.Timing;

namespace Pbx.Bench.Mixer;

/// <summary>
/// A participant without sockets but with the codec work a real one costs: each tick it decodes the next 20 ms of
/// a pre-encoded talker (as if from its jitter buffer) and encodes what the mixer sends it into a payload buffer.
/// </summary>
internal sealed class CodecPort : IConferenceAudioPort
{
    private readonly VoiceCodec _codec;
    private readonly byte[] _talk;
    private readonly byte[] _payload;
    private int _offset;

    public CodecPort(VoiceCodec codec, double frequency, int seed)
    {
        _codec = codec;
        _payload = new byte[codec.BytesPerFrame];
        // One second of a vowel-like talker (fundamental plus two harmonics, amplitude wobble), encoded once.
        var samples = new short[codec.SampleRate];
        var random = new Random(seed);
        var phase = random.NextDouble();
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / codec.SampleRate;
            var envelope = 0.6 + (0.4 * Math.Sin((2 * Math.PI * 3 * t) + phase));
            samples[i] = (short)(4000 * envelope * (Math.Sin(2 * Math.PI * frequency * t) + (0.5 * Math.Sin(4 * Math.PI * frequency * t)) + (0.25 * Math.Sin(6 * Math.PI * frequency * t))));
        }
        _talk = new byte[codec.BytesPerFrame * 50];
        for (var frame = 0; frame < 50; frame++)
        {
            codec.Encode(samples.AsSpan(frame * codec.SamplesPerFrame, codec.SamplesPerFrame), _talk.AsSpan(frame * codec.BytesPerFrame, codec.BytesPerFrame));
        }
    }

    public int SampleRate => _codec.SampleRate;
    public long BytesEncoded { get; private set; }

    public bool ReadFrame(in MediaTick tick, Span<short> frame)
    {
        _codec.Decode(_talk.AsSpan(_offset, _codec.BytesPerFrame), frame);
        _offset = (_offset + _codec.BytesPerFrame) % _talk.Length;
        return true;
    }

    public void WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame) => BytesEncoded += _codec.Encode(frame, _payload);

    public void OnMixerAttached(bool attached)
    {
    }
}
