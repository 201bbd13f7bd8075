namespace Pbx.Bench.RtpRelay;

/// <summary>Thread-safe latency histogram: 1 µs buckets up to 10 ms, then 100 µs buckets up to 1 s.</summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 10_000;
    private const int CoarseBuckets = 9_900;
    private readonly long[] _counts = new long[FineBuckets + CoarseBuckets + 1];

    public void Record(double microseconds)
    {
        var index = microseconds < FineBuckets
            ? (int)Math.Max(0, microseconds)
            : FineBuckets + (int)Math.Min(CoarseBuckets, (microseconds - FineBuckets) / 100);
        Interlocked.Increment(ref _counts[index]);
    }

    public long Count => _counts.Sum();

    /// <summary>Upper edge of the bucket holding the given quantile, in microseconds.</summary>
    public double Quantile(double quantile)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var target = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target) return i < FineBuckets ? i + 1 : FineBuckets + ((i - FineBuckets + 1) * 100.0);
        }
        return double.PositiveInfinity;
    }
}
