namespace Pbx.Media.Dtmf;

/// <summary>
/// One Goertzel filter: the energy of a single frequency over a block, far cheaper than an FFT when only a few
/// frequencies matter. The state is a value type so a detector can keep many of them in an array without allocating.
/// </summary>
internal struct Goertzel
{
    private readonly double _coefficient;
    private double _s1;
    private double _s2;

    public Goertzel(double frequency, int sampleRate)
    {
        _coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        _s1 = 0;
        _s2 = 0;
    }

    public void Add(double sample)
    {
        var s0 = sample + (_coefficient * _s1) - _s2;
        _s2 = _s1;
        _s1 = s0;
    }

    /// <summary>
    /// Energy of the frequency over the block of <paramref name="blockLength"/> samples, scaled to the sum of squares
    /// of the matching sinusoid (N·A²/2), so it compares directly with the block's total energy. Resets the filter.
    /// </summary>
    public double TakeEnergy(int blockLength)
    {
        var power = (_s1 * _s1) + (_s2 * _s2) - (_coefficient * _s1 * _s2);
        _s1 = 0;
        _s2 = 0;
        return 2 * power / blockLength;
    }
}
