namespace Pbx.Media.Dtmf;

/// <summary>
/// Acceptance limits of the in-band DTMF detector, after ITU-T Q.24 (which leaves several values to each
/// administration). Defaults accept tones of -30 dBm0 or more per frequency, a low group up to 8 dB louder
/// than the high group or a high group up to 4 dB louder, and tones of 40 ms or more.
/// </summary>
public sealed class DtmfDetectorOptions
{
    /// <summary>Minimum level of each of the two frequencies, in dBm0 (0 dBm0 = sine of peak 22 650).</summary>
    public double MinimumLevelDbm0 { get; set; } = -30;

    /// <summary>How much louder the low (row) group may be than the high (column) group: "standard twist".</summary>
    public double MaxLowGroupExcessDb { get; set; } = 8;

    /// <summary>How much louder the high (column) group may be than the low group: "reverse twist".</summary>
    public double MaxHighGroupExcessDb { get; set; } = 4;

    /// <summary>The strongest row and column must exceed the other frequencies of their group by this much.</summary>
    public double MinPeakToNeighbourDb { get; set; } = 6;

    /// <summary>Share of the block's energy the two DTMF frequencies must hold; speech and noise spread wider.</summary>
    public double MinToneToTotalEnergyRatio { get; set; } = 0.45;

    /// <summary>
    /// The second harmonic of each detected frequency must stay this far below it: a real DTMF generator makes
    /// near-pure sines, while voiced speech that happens to hit a row and a column frequency is rich in harmonics.
    /// The margin is modest on purpose: with 102-sample blocks the bin at 2 × 697 = 1394 Hz is only 58 Hz from the
    /// 1336 Hz column and picks up about -10 dB of it (likewise 2 × 770 next to 1477 Hz), so a stricter limit
    /// would reject genuine digits such as '2' and '6'.
    /// </summary>
    public double MinHarmonicRejectionDb { get; set; } = 4;
}
