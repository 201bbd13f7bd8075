namespace Pbx.Media.Codecs;

/// <summary>
/// ITU-T G.722 encoder, mode 1 (64 kbit/s): 16 kHz 16-bit PCM in, one octet per pair of samples out (6 bits lower
/// sub-band ADPCM, 2 bits higher). 20 ms = 320 samples = 160 octets. Note that RTP uses an 8000 Hz clock for G.722
/// (RFC 3551 §4.5.2) although the audio is 16 kHz: 160 timestamp units per 20 ms packet.
/// Stateful: one instance per stream, not thread-safe, no allocation after construction.
/// </summary>
public sealed class G722Encoder
{
    private readonly G722Band _low = new(32);
    private readonly G722Band _high = new(8);
    private readonly int[] _qmfHistory = new int[24];

    public void Reset()
    {
        _low.Reset();
        _high.Reset();
        Array.Clear(_qmfHistory);
    }

    /// <summary>Encodes pairs of samples (an odd trailing sample is ignored); returns the octets written.</summary>
    public int Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        var count = Math.Min(samples.Length / 2, destination.Length);
        for (var i = 0; i < count; i++)
        {
            SplitBands(samples[2 * i], samples[(2 * i) + 1], out var lowSample, out var highSample);
            var lowCode = EncodeLow(lowSample);
            var highCode = EncodeHigh(highSample);
            destination[i] = (byte)((highCode << 6) | lowCode);
        }
        return count;
    }

    /// <summary>
    /// One codeword from one sample per sub-band, bypassing the QMF: how the ITU digital test sequences of
    /// G.722 Appendix II exercise the SB-ADPCM encoder.
    /// </summary>
    internal byte EncodeSubbands(int lowSample, int highSample) => (byte)((EncodeHigh(highSample) << 6) | EncodeLow(lowSample));

    /// <summary>Transmit QMF (§3.2): two input samples in, one lower and one higher sub-band sample out.</summary>
    private void SplitBands(short first, short second, out int low, out int high)
    {
        var history = _qmfHistory.AsSpan();
        history[2..].CopyTo(history);
        history[22] = first;
        history[23] = second;
        var qmf = G722Tables.Qmf;
        int oddSum = 0, evenSum = 0;
        for (var i = 0; i < 12; i++)
        {
            oddSum += history[2 * i] * qmf[i];
            evenSum += history[(2 * i) + 1] * qmf[11 - i];
        }
        low = G722Band.Saturate((evenSum + oddSum) >> 14);
        high = G722Band.Saturate((evenSum - oddSum) >> 14);
    }

    private int EncodeLow(int sample)
    {
        var error = G722Band.Saturate(sample - _low.Estimate);
        var magnitude = error >= 0 ? error : -(error + 1);
        var levels = G722Tables.LowDecisionLevels;
        var interval = 1;
        while (interval < 30 && magnitude >= (levels[interval] * _low.Det) >> 12) interval++;
        var code = error < 0 ? G722Tables.LowCodeNegative[interval] : G722Tables.LowCodePositive[interval];

        var truncated = code >> 2;
        var difference = (_low.Det * G722Tables.LowInverse4[truncated]) >> 15;
        _low.AdaptScale(G722Tables.LowLogFactor[G722Tables.LowCodeToMagnitude[truncated]], 18432, 8);
        _low.UpdatePredictor(difference);
        return code;
    }

    private int EncodeHigh(int sample)
    {
        var error = G722Band.Saturate(sample - _high.Estimate);
        var magnitude = error >= 0 ? error : -(error + 1);
        var interval = magnitude >= (G722Tables.HighDecisionLevel * _high.Det) >> 12 ? 2 : 1;
        var code = error < 0 ? G722Tables.HighCodeNegative[interval] : G722Tables.HighCodePositive[interval];

        var difference = (_high.Det * G722Tables.HighInverse[code]) >> 15;
        _high.AdaptScale(G722Tables.HighLogFactor[G722Tables.HighCodeToMagnitude[code]], 22528, 10);
        _high.UpdatePredictor(difference);
        return code;
    }
}

/// <summary>
/// ITU-T G.722 decoder, mode 1 (64 kbit/s): one octet in, two 16 kHz samples out. Stateful per stream, not
/// thread-safe, no allocation after construction.
/// </summary>
public sealed class G722Decoder
{
    private readonly G722Band _low = new(32);
    private readonly G722Band _high = new(8);
    private readonly int[] _qmfHistory = new int[24];

    public void Reset()
    {
        _low.Reset();
        _high.Reset();
        Array.Clear(_qmfHistory);
    }

    /// <summary>Decodes min(codes, destination/2) octets; returns the samples written.</summary>
    public int Decode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        var count = Math.Min(codes.Length, destination.Length / 2);
        for (var i = 0; i < count; i++)
        {
            var low = DecodeLow(codes[i] & 0x3F);
            var high = DecodeHigh(codes[i] >> 6);
            MergeBands(low, high, out destination[2 * i], out destination[(2 * i) + 1]);
        }
        return count * 2;
    }

    /// <summary>Reconstructed sub-band signals of one codeword, bypassing the QMF (ITU test sequence configuration).</summary>
    internal (int Low, int High) DecodeSubbands(byte code) => (DecodeLow(code & 0x3F), DecodeHigh(code >> 6));

    private int DecodeLow(int code)
    {
        // The output uses all six bits; the predictor only the four most significant, as in the encoder.
        var output = Math.Clamp(_low.Estimate + ((_low.Det * G722Tables.LowInverse6[code]) >> 15), -16384, 16383);
        var truncated = code >> 2;
        var difference = (_low.Det * G722Tables.LowInverse4[truncated]) >> 15;
        _low.AdaptScale(G722Tables.LowLogFactor[G722Tables.LowCodeToMagnitude[truncated]], 18432, 8);
        _low.UpdatePredictor(difference);
        return output;
    }

    private int DecodeHigh(int code)
    {
        var difference = (_high.Det * G722Tables.HighInverse[code]) >> 15;
        var output = Math.Clamp(_high.Estimate + difference, -16384, 16383);
        _high.AdaptScale(G722Tables.HighLogFactor[G722Tables.HighCodeToMagnitude[code]], 22528, 10);
        _high.UpdatePredictor(difference);
        return output;
    }

    /// <summary>Receive QMF (§4.4): one sample per sub-band in, two 16 kHz samples out.</summary>
    private void MergeBands(int low, int high, out short first, out short second)
    {
        var history = _qmfHistory.AsSpan();
        history[2..].CopyTo(history);
        history[22] = low + high;
        history[23] = low - high;
        var qmf = G722Tables.Qmf;
        int firstSum = 0, secondSum = 0;
        for (var i = 0; i < 12; i++)
        {
            secondSum += history[2 * i] * qmf[i];
            firstSum += history[(2 * i) + 1] * qmf[11 - i];
        }
        first = (short)G722Band.Saturate(firstSum >> 11);
        second = (short)G722Band.Saturate(secondSum >> 11);
    }
}
