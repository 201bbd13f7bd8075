namespace Pbx.Media.Tones;

/// <summary>
/// Renders a <see cref="ToneSpec"/> as 16-bit PCM, frame by frame. Phase runs on through frame boundaries and
/// through the silent parts of the cadence, so frames join without clicks whatever their size. Cadence durations
/// are converted to sample counts once, so the pattern does not drift. Not thread-safe; no allocation per frame.
/// </summary>
public sealed class ToneGenerator
{
    private readonly double _phaseStep1;
    private readonly double _phaseStep2;
    private readonly double _amplitude;
    private readonly int[] _segmentSamples;
    private readonly bool _repeats;
    private double _phase1;
    private double _phase2;
    private int _segment;
    private int _positionInSegment;

    public ToneGenerator(ToneSpec spec, int sampleRate = 8000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (sampleRate is not (8000 or 16000)) throw new ArgumentOutOfRangeException(nameof(sampleRate), "8000 or 16000 Hz.");
        if (spec.Frequency1 >= sampleRate / 2.0 || spec.Frequency2 >= sampleRate / 2.0)
            throw new ArgumentOutOfRangeException(nameof(spec), "Tone frequencies must stay below the Nyquist frequency.");
        Spec = spec;
        SampleRate = sampleRate;
        _phaseStep1 = 2 * Math.PI * spec.Frequency1 / sampleRate;
        _phaseStep2 = 2 * Math.PI * spec.Frequency2 / sampleRate;
        _amplitude = spec.PeakAmplitude;
        _segmentSamples = [.. spec.CadenceMs.Select(ms => (int)((long)ms * sampleRate / 1000))];
        _repeats = spec.Repeats;
    }

    public ToneSpec Spec { get; }
    public int SampleRate { get; }

    /// <summary>True once a non-repeating tone has played its whole cadence; further frames are silence.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Restarts the cadence at the beginning of its first "on" segment.</summary>
    public void Reset()
    {
        _phase1 = 0;
        _phase2 = 0;
        _segment = 0;
        _positionInSegment = 0;
        IsFinished = false;
    }

    /// <summary>Writes the next <paramref name="frame"/>.Length samples of the tone.</summary>
    public void Fill(Span<short> frame)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            var on = !IsFinished && IsOn();
            var value = 0.0;
            if (on)
            {
                value = Math.Sin(_phase1);
                if (_phaseStep2 > 0) value += Math.Sin(_phase2);
            }
            frame[i] = (short)Math.Round(value * _amplitude);
            _phase1 = Advance(_phase1, _phaseStep1);
            _phase2 = Advance(_phase2, _phaseStep2);
            AdvanceCadence();
        }
    }

    private bool IsOn() => _segmentSamples.Length == 0 || (_segment & 1) == 0;

    private static double Advance(double phase, double step)
    {
        phase += step;
        // Wrapping keeps the argument of Math.Sin small, so precision does not decay over long calls.
        return phase >= 2 * Math.PI ? phase - (2 * Math.PI) : phase;
    }

    private void AdvanceCadence()
    {
        if (_segmentSamples.Length == 0 || IsFinished) return;
        if (++_positionInSegment < _segmentSamples[_segment]) return;
        _positionInSegment = 0;
        if (++_segment < _segmentSamples.Length) return;
        if (_repeats) _segment = 0;
        else IsFinished = true;
    }
}
