namespace Pbx.Media.Tests.Support;

internal static class DtmfSignals
{
    public const string AllDigits = "0123456789*#ABCD";

    public static (double Low, double High) Frequencies(char digit)
    {
        const string keypad = "123A456B789C*0#D";
        var index = keypad.IndexOf(digit, StringComparison.Ordinal);
        double[] rows = [697, 770, 852, 941];
        double[] columns = [1209, 1336, 1477, 1633];
        return (rows[index / 4], columns[index % 4]);
    }

    /// <summary>A digit of <paramref name="toneMs"/> followed by <paramref name="gapMs"/> of silence, per-frequency peak amplitudes given.</summary>
    public static short[] Digit(char digit, int toneMs, int gapMs, double lowAmplitude = 7000, double highAmplitude = 7000)
    {
        var (low, high) = Frequencies(digit);
        var samples = new short[(toneMs + gapMs) * 8];
        for (var i = 0; i < toneMs * 8; i++)
        {
            var t = i / 8000.0;
            samples[i] = (short)Math.Round((lowAmplitude * Math.Sin(2 * Math.PI * low * t)) + (highAmplitude * Math.Sin(2 * Math.PI * high * t)));
        }
        return samples;
    }

    public static short[] Sequence(string digits, int toneMs = 80, int gapMs = 80, double amplitude = 7000) =>
        [.. digits.SelectMany(digit => Digit(digit, toneMs, gapMs, amplitude, amplitude))];
}
