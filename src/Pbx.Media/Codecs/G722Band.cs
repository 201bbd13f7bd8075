namespace Pbx.Media.Codecs;

/// <summary>
/// ADPCM state of one G.722 sub-band: the adaptive predictor (two poles, six zeros) of block 4 and the
/// quantiser scale factor of blocks 3L/3H. Encoder and decoder run the identical update, which keeps them in step.
/// </summary>
internal sealed class G722Band
{
    private readonly int _initialDet;
    private readonly int[] _reconstructed = new int[3];   // r(n), r(n-1), r(n-2)
    private readonly int[] _partial = new int[3];         // p(n)..p(n-2): partially reconstructed signal
    private readonly int[] _poles = new int[3];           // a1, a2 (index 0 unused)
    private readonly int[] _zeros = new int[7];           // b1..b6
    private readonly int[] _differences = new int[7];     // d(n)..d(n-6)
    private int _zeroPrediction;                           // sz

    public G722Band(int initialDet)
    {
        _initialDet = initialDet;
        Det = initialDet;
    }

    /// <summary>Predicted signal s(n).</summary>
    public int Estimate { get; private set; }
    /// <summary>Quantiser scale factor (DETL/DETH).</summary>
    public int Det { get; private set; }
    /// <summary>Log scale factor (NBL/NBH).</summary>
    public int LogScale { get; private set; }

    public void Reset()
    {
        Array.Clear(_reconstructed);
        Array.Clear(_partial);
        Array.Clear(_poles);
        Array.Clear(_zeros);
        Array.Clear(_differences);
        _zeroPrediction = 0;
        Estimate = 0;
        LogScale = 0;
        Det = _initialDet;
    }

    /// <summary>LOGSCL/LOGSCH followed by SCALEL/SCALEH: adapts the scale factor to the last code.</summary>
    public void AdaptScale(int logFactor, int maxLogScale, int shiftBase)
    {
        var scale = ((LogScale * 32512) >> 15) + logFactor;
        LogScale = Math.Clamp(scale, 0, maxLogScale);
        var mantissa = (LogScale >> 6) & 31;
        var shift = shiftBase - (LogScale >> 11);
        var antiLog = G722Tables.AntiLog[mantissa];
        Det = (shift < 0 ? antiLog << -shift : antiLog >> shift) << 2;
    }

    /// <summary>Block 4: reconstructs, adapts the pole and zero coefficients and computes the next estimate.</summary>
    public void UpdatePredictor(int difference)
    {
        // RECONS and PARREC
        _reconstructed[0] = Saturate(Estimate + difference);
        _partial[0] = Saturate(_zeroPrediction + difference);

        // UPPOL2: second pole coefficient, with the stability bound of ±0.375.
        var sign0 = _partial[0] >> 15;
        var sign1 = _partial[1] >> 15;
        var sign2 = _partial[2] >> 15;
        var a1Times4 = Saturate(_poles[1] << 2);
        var gradient = sign0 == sign1 ? -a1Times4 : a1Times4;
        if (gradient > 32767) gradient = 32767;
        var a2 = (sign0 == sign2 ? 128 : -128) + (gradient >> 7) + ((_poles[2] * 32512) >> 15);
        a2 = Math.Clamp(a2, -12288, 12288);

        // UPPOL1: first pole coefficient, bounded by 1 - 2^-4 - a2.
        var a1 = Saturate((sign0 == sign1 ? 192 : -192) + ((_poles[1] * 32640) >> 15));
        var a1Limit = Saturate(15360 - a2);
        a1 = Math.Clamp(a1, -a1Limit, a1Limit);

        // UPZERO: sign-sign update of the six zero coefficients.
        var step = difference == 0 ? 0 : 128;
        var differenceSign = difference >> 15;
        for (var i = 1; i < 7; i++)
        {
            var direction = (_differences[i] >> 15) == differenceSign ? step : -step;
            _zeros[i] = Saturate(direction + ((_zeros[i] * 32640) >> 15));
        }

        // DELAYA
        for (var i = 6; i > 1; i--) _differences[i] = _differences[i - 1];
        _differences[1] = difference;
        _reconstructed[2] = _reconstructed[1];
        _reconstructed[1] = _reconstructed[0];
        _partial[2] = _partial[1];
        _partial[1] = _partial[0];
        _poles[1] = a1;
        _poles[2] = a2;

        // FILTEP, FILTEZ, PREDIC
        var polePrediction = Saturate(((_poles[1] * Saturate(_reconstructed[1] << 1)) >> 15)
                                      + ((_poles[2] * Saturate(_reconstructed[2] << 1)) >> 15));
        var zeroPrediction = 0;
        for (var i = 6; i > 0; i--) zeroPrediction += (_zeros[i] * Saturate(_differences[i] << 1)) >> 15;
        _zeroPrediction = Saturate(zeroPrediction);
        Estimate = Saturate(polePrediction + _zeroPrediction);
    }

    public static int Saturate(int value) => Math.Clamp(value, short.MinValue, short.MaxValue);
}
