using System.Buffers.Binary;
using Pbx.Media.Codecs;

namespace Pbx.Media.Audio;

/// <summary>
/// Reads RIFF/WAVE files restricted to what telephony needs: mono, 16-bit PCM at 8 or 16 kHz, or G.711 µ-law/A-law
/// at 8 kHz. Anything else, and any malformed file, yields a result with an error instead of an exception.
/// </summary>
public static class WavReader
{
    /// <summary>Refuses files above this size so a wrong path cannot pull gigabytes into memory.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static WavReadResult ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return WavReadResult.Fail($"{path}: file not found");
            if (info.Length > MaxFileBytes) return WavReadResult.Fail($"{path}: {info.Length} bytes exceeds the {MaxFileBytes}-byte limit");
            var result = Read(File.ReadAllBytes(path));
            return result.IsSuccess ? result : WavReadResult.Fail($"{path}: {result.Error}");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return WavReadResult.Fail($"{path}: {exception.Message}");
        }
    }

    public static WavReadResult Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
            return WavReadResult.Fail("not a RIFF/WAVE file");

        FormatChunk? format = null;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            var bodyStart = offset + 8;
            var available = file.Length - bodyStart;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size > available) return WavReadResult.Fail("fmt chunk is truncated");
                var parsed = ParseFormat(file.Slice(bodyStart, (int)size), out var formatError);
                if (parsed is null) return WavReadResult.Fail(formatError!);
                format = parsed;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null) return WavReadResult.Fail("data chunk before fmt chunk");
                // Streaming writers leave the size at 0 or 0xFFFFFFFF; take what is really there.
                var length = size == 0 || size > available ? available : (int)size;
                return Decode(format.Value, file.Slice(bodyStart, length));
            }
            // Chunks are word-aligned: an odd-sized body is followed by one pad byte.
            var next = (long)bodyStart + size + (size & 1);
            if (next > file.Length) break;
            offset = (int)next;
        }
        return WavReadResult.Fail(format is null ? "no fmt chunk" : "no data chunk");
    }

    private readonly record struct FormatChunk(WavEncoding Encoding, int SampleRate);

    private static FormatChunk? ParseFormat(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (body.Length < 16)
        {
            error = "fmt chunk shorter than 16 bytes";
            return null;
        }
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        var sampleRate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
        var bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
        // WAVE_FORMAT_EXTENSIBLE carries the real format tag in the first two bytes of its sub-format GUID.
        if (tag == WavConstants.FormatExtensible && body.Length >= 26) tag = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);

        WavEncoding encoding;
        switch (tag)
        {
            case WavConstants.FormatPcm when bitsPerSample == 16:
                encoding = WavEncoding.Pcm16;
                break;
            case WavConstants.FormatPcm:
                error = $"{bitsPerSample}-bit PCM is not supported (16-bit only)";
                return null;
            case WavConstants.FormatMuLaw or WavConstants.FormatALaw when bitsPerSample == 8:
                encoding = tag == WavConstants.FormatMuLaw ? WavEncoding.MuLaw : WavEncoding.ALaw;
                break;
            case WavConstants.FormatMuLaw or WavConstants.FormatALaw:
                error = $"G.711 with {bitsPerSample} bits per sample is invalid (8 expected)";
                return null;
            default:
                error = $"format tag {tag} is not supported (PCM, µ-law and A-law only)";
                return null;
        }
        if (channels != 1)
        {
            error = $"{channels} channels; only mono is supported";
            return null;
        }
        var rateSupported = encoding == WavEncoding.Pcm16
            ? sampleRate is WavConstants.Telephony or WavConstants.Wideband
            : sampleRate == WavConstants.Telephony;
        if (!rateSupported)
        {
            error = $"sample rate {sampleRate} Hz is not supported for {encoding} (8000{(encoding == WavEncoding.Pcm16 ? " or 16000" : "")} only)";
            return null;
        }
        return new FormatChunk(encoding, sampleRate);
    }

    private static WavReadResult Decode(FormatChunk format, ReadOnlySpan<byte> data)
    {
        var count = data.Length / WavConstants.BytesPerSample(format.Encoding);
        var samples = new short[count];
        switch (format.Encoding)
        {
            case WavEncoding.MuLaw:
                MuLaw.Decode(data, samples);
                break;
            case WavEncoding.ALaw:
                ALaw.Decode(data, samples);
                break;
            default:
                for (var i = 0; i < count; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
                break;
        }
        return WavReadResult.Ok(new WavAudio(format.SampleRate, format.Encoding, samples));
    }
}
