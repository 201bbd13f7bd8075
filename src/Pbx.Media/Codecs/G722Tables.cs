namespace Pbx.Media.Codecs;

/// <summary>Constant tables of ITU-T G.722 (11/88 and later), named after the blocks of §3 and §4 that use them.</summary>
internal static class G722Tables
{
    /// <summary>Transmit/receive QMF coefficients h0..h11 in the order the polyphase sums consume them (§3.1, Table 11).</summary>
    public static ReadOnlySpan<int> Qmf => [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

    /// <summary>Lower sub-band 6-bit quantiser decision levels, scaled by 2^12 (QUANTL, Table 6).</summary>
    public static ReadOnlySpan<int> LowDecisionLevels =>
    [
        0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
    ];

    /// <summary>Codes of QUANTL for a negative / positive difference, by decision interval.</summary>
    public static ReadOnlySpan<int> LowCodeNegative =>
    [
        0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
        18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0,
    ];

    public static ReadOnlySpan<int> LowCodePositive =>
    [
        0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
        46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0,
    ];

    /// <summary>Inverse quantiser of the 4-bit truncated lower code used for prediction (INVQAL, Table 7).</summary>
    public static ReadOnlySpan<int> LowInverse4 =>
    [
        0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
        20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
    ];

    /// <summary>Inverse quantiser of the full 6-bit lower code for the output in mode 1 (INVQBL, Table 7).</summary>
    public static ReadOnlySpan<int> LowInverse6 =>
    [
        -136, -136, -136, -136, -24808, -21904, -19008, -16704,
        -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
        -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
        -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
        24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
        10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
        4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
        1688, 1360, 1040, 728, 432, 136, -432, -136,
    ];

    /// <summary>Maps the 4-bit lower code to the index of the log scale factor multiplier (LOGSCL).</summary>
    public static ReadOnlySpan<int> LowCodeToMagnitude => [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];

    /// <summary>Log scale factor multipliers of the lower band (LOGSCL, Table 8).</summary>
    public static ReadOnlySpan<int> LowLogFactor => [-60, -30, 58, 172, 334, 538, 1198, 3042];

    /// <summary>Anti-log table of SCALEL/SCALEH: 2^(i/32) scaled by 2^11.</summary>
    public static ReadOnlySpan<int> AntiLog =>
    [
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    ];

    /// <summary>Higher band 2-bit inverse quantiser (INVQAH, Table 9) and code → magnitude map.</summary>
    public static ReadOnlySpan<int> HighInverse => [-7408, -1616, 7408, 1616];

    public static ReadOnlySpan<int> HighCodeToMagnitude => [2, 1, 2, 1];

    /// <summary>Higher band codes for interval 1/2 of a negative or positive difference (QUANTH).</summary>
    public static ReadOnlySpan<int> HighCodeNegative => [0, 1, 0];

    public static ReadOnlySpan<int> HighCodePositive => [0, 3, 2];

    /// <summary>Log scale factor multipliers of the higher band (LOGSCH, Table 10).</summary>
    public static ReadOnlySpan<int> HighLogFactor => [0, -214, 798];

    /// <summary>Decision level of the 2-bit higher band quantiser, scaled by 2^12.</summary>
    public const int HighDecisionLevel = 564;
}
