namespace Pbx.Media.Mixing;

/// <summary>Sample-level helpers of the mixer.</summary>
internal static class MixBuffers
{
    /// <summary>Where soft clipping starts: about -2.5 dBFS. Below it the mix is untouched.</summary>
    public const int KneeStart = 24576;
    private const float KneeRange = short.MaxValue - KneeStart;

    /// <summary>
    /// Maps a 32-bit sum to 16 bits without wrap-around: linear up to the knee, then a tanh curve that approaches
    /// full scale smoothly. Several loud talkers therefore compress instead of producing the harsh square edges of
    /// hard saturation, and never flip sign as a plain (short) cast would.
    /// </summary>
    public static short SoftClip(int value)
    {
        if (value is <= KneeStart and >= -KneeStart) return (short)value;
        var magnitude = Math.Abs((long)value) - KneeStart;
        var compressed = KneeStart + (KneeRange * MathF.Tanh(magnitude / KneeRange));
        var result = (int)MathF.Min(compressed, short.MaxValue);
        return (short)(value < 0 ? -result : result);
    }
}
