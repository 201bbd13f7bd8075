namespace Pbx.Media.Audio;

/// <summary>
/// 16 kHz → 8 kHz decimator for one continuous stream: low-pass (see <see cref="HalfRateFilter"/>), then every
/// second sample, computed in polyphase form so only the kept outputs are filtered. Keeps the filter history between
/// calls, so consecutive 20 ms frames join without clicks. Not thread-safe; no allocation after construction.
/// </summary>
public sealed class Downsampler16To8
{
    // History holds the last Taps-1 inputs in front of the new block.
    private const int History = HalfRateFilter.Taps - 1;
    private const int MaxBlock = 1920;
    private readonly float[] _work = new float[History + MaxBlock];

    /// <summary>Consumes an even number of 16 kHz samples and writes half as many 8 kHz samples; returns that count.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if ((input.Length & 1) != 0) throw new ArgumentException("The 16 kHz block must hold an even number of samples.", nameof(input));
        if (output.Length < input.Length / 2) throw new ArgumentException("The output is too small.", nameof(output));
        var written = 0;
        while (!input.IsEmpty)
        {
            var block = input[..Math.Min(input.Length, MaxBlock)];
            written += ProcessBlock(block, output[written..]);
            input = input[block.Length..];
        }
        return written;
    }

    public void Reset() => Array.Clear(_work);

    private int ProcessBlock(ReadOnlySpan<short> input, Span<short> output)
    {
        var work = _work.AsSpan();
        for (var i = 0; i < input.Length; i++) work[History + i] = input[i];
        var even = HalfRateFilter.EvenBranch;
        var odd = HalfRateFilter.OddBranch;
        var outputs = input.Length / 2;
        for (var n = 0; n < outputs; n++)
        {
            // y[n] = Σ h[k]·x[2n+1-k] over the newest 64 inputs ending at work[History + 2n + 1].
            var newest = History + (2 * n) + 1;
            float acc = 0;
            for (var j = 0; j < HalfRateFilter.BranchTaps; j++)
            {
                acc += (even[j] * work[newest - (2 * j)]) + (odd[j] * work[newest - (2 * j) - 1]);
            }
            output[n] = HalfRateFilter.Saturate(acc);
        }
        work.Slice(input.Length, History).CopyTo(work);
        return outputs;
    }
}

/// <summary>
/// 8 kHz → 16 kHz interpolator for one continuous stream: zero-stuffing and the <see cref="HalfRateFilter"/>
/// low-pass (gain 2 to make up for the inserted zeros), computed as two polyphase branches so the zeros are never
/// multiplied. Not thread-safe; no allocation after construction.
/// </summary>
public sealed class Upsampler8To16
{
    private const int History = HalfRateFilter.BranchTaps - 1;
    private const int MaxBlock = 960;
    private readonly float[] _work = new float[History + MaxBlock];

    /// <summary>Writes two 16 kHz samples per 8 kHz input sample; returns the count written.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if (output.Length < input.Length * 2) throw new ArgumentException("The output is too small.", nameof(output));
        var written = 0;
        while (!input.IsEmpty)
        {
            var block = input[..Math.Min(input.Length, MaxBlock)];
            written += ProcessBlock(block, output[written..]);
            input = input[block.Length..];
        }
        return written;
    }

    public void Reset() => Array.Clear(_work);

    private int ProcessBlock(ReadOnlySpan<short> input, Span<short> output)
    {
        var work = _work.AsSpan();
        for (var i = 0; i < input.Length; i++) work[History + i] = input[i];
        var even = HalfRateFilter.EvenBranch;
        var odd = HalfRateFilter.OddBranch;
        for (var n = 0; n < input.Length; n++)
        {
            var newest = History + n;
            float evenAcc = 0, oddAcc = 0;
            for (var j = 0; j < HalfRateFilter.BranchTaps; j++)
            {
                var x = work[newest - j];
                evenAcc += even[j] * x;
                oddAcc += odd[j] * x;
            }
            output[2 * n] = HalfRateFilter.Saturate(2 * evenAcc);
            output[(2 * n) + 1] = HalfRateFilter.Saturate(2 * oddAcc);
        }
        work.Slice(input.Length, History).CopyTo(work);
        return input.Length * 2;
    }
}
