using Pbx.Media.Audio;
using Pbx.Media.Codecs;
using Pbx.Media.Dtmf;

namespace Pbx.Media.Endpoint;

/// <summary>
/// Turns the jitter buffer's packets into one 20 ms frame per tick: decodes in sequence order (G.722 state
/// depends on it), conceals a lost packet with silence of the previous packet's duration, and buffers the PCM so
/// packets of 10, 30 or 60 ms still yield exact 20 ms frames. The frame then feeds the in-band DTMF detector (at
/// 8 kHz, decimating G.722's 16 kHz first). Runs on the tick thread only.
/// </summary>
internal sealed class ReceivePlayout
{
    private readonly JitterBuffer _jitter;
    private readonly Lock _jitterGate;
    private readonly VoiceCodec _codec;
    private readonly byte[] _payload;
    private readonly short[] _pcm;
    private readonly short[] _dtmfFrame;
    private readonly Downsampler16To8? _dtmfDecimator;
    private readonly InBandDtmfDetector? _detector;
    private readonly int _frameSamples;
    private int _pcmCount;
    private int _lastPacketSamples;

    public ReceivePlayout(JitterBuffer jitter, Lock jitterGate, VoiceCodec codec, int maxPayload, bool detectInBandDtmf, DtmfDetectorOptions? dtmfOptions)
    {
        _jitter = jitter;
        _jitterGate = jitterGate;
        _codec = codec;
        _frameSamples = codec.SamplesPerFrame;
        _lastPacketSamples = _frameSamples;
        _payload = new byte[maxPayload];
        _pcm = new short[codec.MaxSamplesPerPacket + _frameSamples];
        _dtmfFrame = new short[160];
        if (detectInBandDtmf)
        {
            _detector = new InBandDtmfDetector(dtmfOptions);
            if (codec.SampleRate == 16000) _dtmfDecimator = new Downsampler16To8();
        }
    }

    public long ConcealedFrames { get; private set; }
    public long EmptyFrames { get; private set; }

    /// <summary>Fills <paramref name="frame"/> (one 20 ms frame at the codec rate); returns digits detected in it.</summary>
    public int ReadFrame(Span<short> frame, Span<char> digits, out bool hadAudio)
    {
        while (_pcmCount < _frameSamples && PullPacket())
        {
        }
        hadAudio = _pcmCount > 0;
        var available = Math.Min(_pcmCount, _frameSamples);
        _pcm.AsSpan(0, available).CopyTo(frame);
        frame[available..].Clear();
        _pcm.AsSpan(available, _pcmCount - available).CopyTo(_pcm);
        _pcmCount -= available;
        if (!hadAudio) EmptyFrames++;

        if (_detector is null) return 0;
        ReadOnlySpan<short> narrow = frame;
        if (_dtmfDecimator is not null)
        {
            _dtmfDecimator.Process(frame, _dtmfFrame);
            narrow = _dtmfFrame;
        }
        return _detector.Process(narrow, digits);
    }

    private bool PullPacket()
    {
        JitterTakeResult result;
        int length;
        lock (_jitterGate) result = _jitter.Take(_payload, out length);
        switch (result)
        {
            case JitterTakeResult.Packet:
                var samples = _codec.SamplesIn(length);
                if (samples > _pcm.Length - _pcmCount) return false;
                _pcmCount += _codec.Decode(_payload.AsSpan(0, length), _pcm.AsSpan(_pcmCount));
                _lastPacketSamples = samples;
                return true;
            case JitterTakeResult.Lost:
                var gap = Math.Min(_lastPacketSamples, _pcm.Length - _pcmCount);
                _pcm.AsSpan(_pcmCount, gap).Clear();
                _pcmCount += gap;
                ConcealedFrames++;
                return true;
            default:
                return false;
        }
    }
}
