namespace Pbx.Media.Dtmf;

/// <summary>
/// Detects DTMF digits in 8 kHz linear PCM with Goertzel filters on blocks of 102 samples (12.75 ms; the bins
/// are then about 78 Hz apart, close to the 73-89 Hz spacing of the DTMF rows). A block is a hit when exactly one
/// row and one column stand out by level, twist, peak-to-neighbour ratio, share of total energy and second-harmonic
/// purity. A digit is reported after two consecutive hits (so tones of 40 ms or more are always caught and tones
/// shorter than 25.5 ms never are) and released after two blocks without it, which is the inter-digit gap a
/// repeated digit needs. Feed any frame size; not thread-safe; no allocation after construction.
/// </summary>
public sealed class InBandDtmfDetector
{
    public const int SampleRate = 8000;
    public const int BlockLength = 102;
    private const int ConfirmBlocks = 2;
    private const int ReleaseBlocks = 2;
    private const int Frequencies = 8;

    private static readonly double[] DtmfFrequencies = [697, 770, 852, 941, 1209, 1336, 1477, 1633];
    private static readonly char[,] Keypad =
    {
        { '1', '2', '3', 'A' },
        { '4', '5', '6', 'B' },
        { '7', '8', '9', 'C' },
        { '*', '0', '#', 'D' },
    };

    private readonly Goertzel[] _fundamentals = new Goertzel[Frequencies];
    private readonly Goertzel[] _harmonics = new Goertzel[Frequencies];
    private readonly double[] _energies = new double[Frequencies];
    private readonly double _minimumToneEnergy;
    private readonly double _maxLowExcess;
    private readonly double _maxHighExcess;
    private readonly double _peakRatio;
    private readonly double _toneShare;
    private readonly double _harmonicRatio;
    private double _blockEnergy;
    private int _blockPosition;
    private char _candidate;
    private int _candidateBlocks;
    private char _active;
    private int _missedBlocks;

    public InBandDtmfDetector(DtmfDetectorOptions? options = null)
    {
        options ??= new DtmfDetectorOptions();
        for (var i = 0; i < Frequencies; i++)
        {
            _fundamentals[i] = new Goertzel(DtmfFrequencies[i], SampleRate);
            _harmonics[i] = new Goertzel(2 * DtmfFrequencies[i], SampleRate);
        }
        var minimumPeak = 22650 * Math.Pow(10, options.MinimumLevelDbm0 / 20);
        _minimumToneEnergy = BlockLength * minimumPeak * minimumPeak / 2;
        _maxLowExcess = DecibelsToRatio(options.MaxLowGroupExcessDb);
        _maxHighExcess = DecibelsToRatio(options.MaxHighGroupExcessDb);
        _peakRatio = DecibelsToRatio(options.MinPeakToNeighbourDb);
        _toneShare = options.MinToneToTotalEnergyRatio;
        _harmonicRatio = DecibelsToRatio(-options.MinHarmonicRejectionDb);
    }

    /// <summary>
    /// Analyses <paramref name="samples"/> and writes each newly recognised digit to <paramref name="digits"/>;
    /// returns how many were written. At most one digit starts per four blocks (51 ms), so a span of
    /// samples.Length / 408 + 1 characters never overflows; digits beyond its length would be dropped.
    /// </summary>
    public int Process(ReadOnlySpan<short> samples, Span<char> digits)
    {
        var found = 0;
        foreach (var sample in samples)
        {
            double value = sample;
            _blockEnergy += value * value;
            for (var i = 0; i < Frequencies; i++)
            {
                _fundamentals[i].Add(value);
                _harmonics[i].Add(value);
            }
            if (++_blockPosition < BlockLength) continue;

            var digit = OnBlockComplete(ClassifyBlock());
            if (digit != '\0' && found < digits.Length) digits[found++] = digit;
        }
        return found;
    }

    public void Reset()
    {
        for (var i = 0; i < Frequencies; i++)
        {
            _fundamentals[i].TakeEnergy(BlockLength);
            _harmonics[i].TakeEnergy(BlockLength);
        }
        _blockEnergy = 0;
        _blockPosition = 0;
        _candidate = '\0';
        _candidateBlocks = 0;
        _active = '\0';
        _missedBlocks = 0;
    }

    /// <summary>Returns the digit the block carries, or '\0'.</summary>
    private char ClassifyBlock()
    {
        for (var i = 0; i < Frequencies; i++) _energies[i] = _fundamentals[i].TakeEnergy(BlockLength);
        var total = _blockEnergy;
        _blockEnergy = 0;
        _blockPosition = 0;

        var row = StrongestOf(0);
        var column = StrongestOf(4);
        var rowEnergy = _energies[row];
        var columnEnergy = _energies[column];
        var rowHarmonic = _harmonics[row].TakeEnergy(BlockLength);
        var columnHarmonic = _harmonics[column].TakeEnergy(BlockLength);
        for (var i = 0; i < Frequencies; i++)
        {
            if (i != row && i != column) _harmonics[i].TakeEnergy(BlockLength);
        }

        if (rowEnergy < _minimumToneEnergy || columnEnergy < _minimumToneEnergy) return '\0';
        if (rowEnergy > columnEnergy * _maxLowExcess || columnEnergy > rowEnergy * _maxHighExcess) return '\0';
        if (!StandsOut(row, 0) || !StandsOut(column, 4)) return '\0';
        if (rowEnergy + columnEnergy < _toneShare * total) return '\0';
        if (rowHarmonic > rowEnergy * _harmonicRatio || columnHarmonic > columnEnergy * _harmonicRatio) return '\0';
        return Keypad[row, column - 4];
    }

    private int StrongestOf(int first)
    {
        var best = first;
        for (var i = first + 1; i < first + 4; i++)
        {
            if (_energies[i] > _energies[best]) best = i;
        }
        return best;
    }

    private bool StandsOut(int peak, int first)
    {
        for (var i = first; i < first + 4; i++)
        {
            if (i != peak && _energies[i] * _peakRatio > _energies[peak]) return false;
        }
        return true;
    }

    /// <summary>Debounces block decisions into digits: confirm on two hits, release after two misses.</summary>
    private char OnBlockComplete(char hit)
    {
        if (_active != '\0')
        {
            if (hit == _active)
            {
                _missedBlocks = 0;
                return '\0';
            }
            if (++_missedBlocks < ReleaseBlocks) return '\0';
            _active = '\0';
            _candidate = '\0';
            _candidateBlocks = 0;
            return '\0';
        }
        if (hit == '\0')
        {
            _candidate = '\0';
            _candidateBlocks = 0;
            return '\0';
        }
        _candidateBlocks = hit == _candidate ? _candidateBlocks + 1 : 1;
        _candidate = hit;
        if (_candidateBlocks < ConfirmBlocks) return '\0';
        _active = hit;
        _missedBlocks = 0;
        return hit;
    }

    private static double DecibelsToRatio(double decibels) => Math.Pow(10, decibels / 10);
}
