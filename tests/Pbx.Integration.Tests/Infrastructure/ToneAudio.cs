using System.Buffers.Binary;
using System.Text;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>How much of a recording one frequency fills, over sliding windows.</summary>
/// <param name="Windows">Windows analysed (the whole recording in steps of half a window).</param>
/// <param name="Dominant">Share of windows where the tone carries at least half of the window's power.</param>
/// <param name="Trace">Share of windows where the tone carries at least 5 % of the window's power (-13 dB).</param>
/// <param name="PeakShare">The largest share of a window's power the tone reached.</param>
internal sealed record ToneShare(double Frequency, int Windows, double Dominant, double Trace, double PeakShare)
{
    /// <summary>Clearly heard: it dominates at least 30 % of the windows.</summary>
    public bool Present => Windows > 0 && Dominant >= 0.3;

    /// <summary>Clearly not heard: not even a trace of it in more than 5 % of the windows.</summary>
    public bool Absent => Windows > 0 && Trace <= 0.05;

    public override string ToString() =>
        $"{Frequency} Hz: dominant in {Dominant:P0}, trace in {Trace:P0} of {Windows} windows, peak share {PeakShare:F2}";
}

/// <summary>Test tones as WAV files and a Goertzel analyser for what a phone recorded.</summary>
internal static class ToneAudio
{
    /// <summary>Phone A's tone and phone B's tone: far apart, not harmonics of each other, away from DTMF frequencies.</summary>
    public const double ToneA = 600, ToneB = 1400;

    /// <summary>Writes a sine as 8 kHz mono 16-bit PCM, peak at <paramref name="dbfs"/> (default -10 dBFS), 10 ms fades.</summary>
    public static void WriteTone(string path, double frequency, TimeSpan duration, double dbfs = -10, int sampleRate = 8000)
    {
        var count = (int)(duration.TotalSeconds * sampleRate);
        var amplitude = short.MaxValue * Math.Pow(10, dbfs / 20);
        var fade = sampleRate / 100;
        var data = new byte[count * 2];
        for (var i = 0; i < count; i++)
        {
            var ramp = Math.Min(1.0, Math.Min(i, count - 1 - i) / (double)fade);
            var sample = (short)Math.Round(amplitude * ramp * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), sample);
        }
        using var file = File.Create(path);
        using var writer = new BinaryWriter(file, Encoding.ASCII);
        writer.Write("RIFF"u8);
        writer.Write(36 + data.Length);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1); // PCM
        writer.Write((short)1); // mono
        writer.Write(sampleRate);
        writer.Write(sampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
    }

    /// <summary>
    /// Reads a WAV file (PCM 8/16/24/32-bit or 32/64-bit float, plain or extensible format, any channel count) as
    /// mono samples in [-1, 1] (channels averaged). A data chunk whose size was never filled in (a recorder
    /// still writing, or killed) is read to the end of the file.
    /// </summary>
    public static (float[] Samples, int SampleRate) ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"{path}: not a RIFF/WAVE file ({bytes.Length} bytes)");
        int? format = null, channels = null, sampleRate = null, bits = null;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = Encoding.ASCII.GetString(bytes, offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            var body = offset + 8;
            if (id == "fmt ")
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 14));
                if (format == 0xFFFE && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 24)); // extensible: sub-format GUID starts with the tag
            }
            else if (id == "data")
            {
                if (format is null || channels is not > 0 || sampleRate is not > 0 || bits is null)
                    throw new InvalidDataException($"{path}: data chunk before a usable fmt chunk");
                var length = size == 0 || size == uint.MaxValue || body + size > bytes.Length ? bytes.Length - body : (int)size;
                return (Decode(bytes.AsSpan(body, length), format.Value, channels.Value, bits.Value, path), sampleRate.Value);
            }
            offset = body + (int)Math.Min(size + (size & 1), (uint)(bytes.Length - body));
        }
        throw new InvalidDataException($"{path}: no data chunk");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits, string path)
    {
        var width = bits / 8;
        if ((format, bits) is not ((1, 8) or (1, 16) or (1, 24) or (1, 32) or (3, 32) or (3, 64)))
            throw new InvalidDataException($"{path}: unsupported WAV format {format} with {bits} bits");
        var frames = data.Length / (width * channels);
        var samples = new float[frames];
        for (var f = 0; f < frames; f++)
        {
            double sum = 0;
            for (var c = 0; c < channels; c++)
            {
                var s = data.Slice((f * channels + c) * width, width);
                sum += (format, bits) switch
                {
                    (1, 8) => (s[0] - 128) / 128.0,
                    (1, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
                    (1, 24) => ((s[0] << 8) | (s[1] << 16) | (s[2] << 24)) / 2147483648.0,
                    (1, 32) => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
                    (3, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
            }
            samples[f] = (float)(sum / channels);
        }
        return samples;
    }

    /// <summary>
    /// For each frequency, over 200 ms windows sliding by 100 ms, the share of the window's power that a Goertzel
    /// filter at that frequency finds (a pure sine at the frequency gives about 1, another tone or noise about 0).
    /// Windows quieter than -50 dBFS count as windows where no tone is present.
    /// </summary>
    public static IReadOnlyList<ToneShare> Analyse(string wavPath, params double[] frequencies)
    {
        var (samples, rate) = ReadWav(wavPath);
        var window = rate / 5;
        var step = window / 2;
        var silence = Math.Pow(10, -50 / 10.0);
        var dominant = new int[frequencies.Length];
        var trace = new int[frequencies.Length];
        var peak = new double[frequencies.Length];
        var windows = 0;
        for (var start = 0; start + window <= samples.Length; start += step, windows++)
        {
            var span = samples.AsSpan(start, window);
            double power = 0;
            foreach (var s in span) power += s * s;
            power /= window;
            if (power < silence) continue;
            for (var i = 0; i < frequencies.Length; i++)
            {
                var share = Math.Min(1, Goertzel(span, frequencies[i], rate) / power);
                if (share >= 0.5) dominant[i]++;
                if (share >= 0.05) trace[i]++;
                peak[i] = Math.Max(peak[i], share);
            }
        }
        return [.. frequencies.Select((f, i) => new ToneShare(f, windows,
            windows == 0 ? 0 : dominant[i] / (double)windows, windows == 0 ? 0 : trace[i] / (double)windows, peak[i]))];
    }

    /// <summary>
    /// How many 200 ms windows (sliding by 100 ms) are clearly audible (above -40 dBFS) yet carry none of the given
    /// tones (each below 20 % of the power): music or speech rather than a test tone or silence.
    /// </summary>
    public static int CountOtherSoundWindows(string wavPath, params double[] frequencies)
    {
        var (samples, rate) = ReadWav(wavPath);
        var window = rate / 5;
        var step = window / 2;
        var audible = Math.Pow(10, -40 / 10.0);
        var count = 0;
        for (var start = 0; start + window <= samples.Length; start += step)
        {
            var span = samples.AsSpan(start, window);
            double power = 0;
            foreach (var s in span) power += s * s;
            power /= window;
            if (power < audible) continue;
            var tones = false;
            foreach (var frequency in frequencies) tones |= Goertzel(span, frequency, rate) / power >= 0.2;
            if (!tones) count++;
        }
        return count;
    }

    /// <summary>Mean power of the component at <paramref name="frequency"/>, scaled so a sine of amplitude a gives a²/2.</summary>
    private static double Goertzel(ReadOnlySpan<float> x, double frequency, int rate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        double s1 = 0, s2 = 0;
        foreach (var v in x)
        {
            var s = v + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        var magnitude2 = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * magnitude2 / ((double)x.Length * x.Length);
    }

    /// <summary>A one-line summary for assertion messages: sample rate, length and each tone's share.</summary>
    public static string Describe(string wavPath, params double[] frequencies)
    {
        var (samples, rate) = ReadWav(wavPath);
        return $"{Path.GetFileName(wavPath)}: {rate} Hz, {samples.Length / (double)rate:F1} s; "
            + string.Join("; ", Analyse(wavPath, frequencies));
    }
}
