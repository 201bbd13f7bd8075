using System.Buffers.Binary;
using Pbx.Media.Codecs;

namespace Pbx.Media.Audio;

/// <summary>
/// Writes a mono WAV incrementally: a canonical 44-byte header first, sample data as it comes, and the RIFF and
/// data sizes patched in by <see cref="Complete"/>. Appending encodes into one reused buffer, so a recorder
/// driven every 20 ms does not allocate.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int ChunkSamples = 640;
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _scratch = new byte[ChunkSamples * 2];
    private long _dataBytes;
    private bool _completed;

    public WavWriter(Stream stream, int sampleRate, WavEncoding encoding = WavEncoding.Pcm16, bool ownsStream = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("The stream must be writable and seekable.", nameof(stream));
        var rateSupported = encoding == WavEncoding.Pcm16
            ? sampleRate is WavConstants.Telephony or WavConstants.Wideband
            : sampleRate == WavConstants.Telephony;
        if (!rateSupported) throw new ArgumentOutOfRangeException(nameof(sampleRate), $"{sampleRate} Hz is not supported for {encoding}.");
        _stream = stream;
        _ownsStream = ownsStream;
        SampleRate = sampleRate;
        Encoding = encoding;
        WriteHeader();
    }

    public static WavWriter Create(string path, int sampleRate, WavEncoding encoding = WavEncoding.Pcm16) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 16 * 1024), sampleRate, encoding);

    /// <summary>Writes a whole file in one go.</summary>
    public static void WriteFile(string path, ReadOnlySpan<short> samples, int sampleRate, WavEncoding encoding = WavEncoding.Pcm16)
    {
        using var writer = Create(path, sampleRate, encoding);
        writer.Append(samples);
        writer.Complete();
    }

    public int SampleRate { get; }
    public WavEncoding Encoding { get; }
    public long SamplesWritten => _dataBytes / WavConstants.BytesPerSample(Encoding);

    public void Append(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!samples.IsEmpty)
        {
            var chunk = samples[..Math.Min(samples.Length, ChunkSamples)];
            var bytes = Encode(chunk, _scratch);
            _stream.Write(_scratch, 0, bytes);
            _dataBytes += bytes;
            samples = samples[chunk.Length..];
        }
    }

    /// <summary>Pads to an even length, patches the sizes and flushes. Idempotent.</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        if ((_dataBytes & 1) != 0) _stream.WriteByte(0);
        var end = _stream.Position;
        Span<byte> size = stackalloc byte[4];
        var dataSize = (uint)Math.Min(_dataBytes, uint.MaxValue - 64);
        BinaryPrimitives.WriteUInt32LittleEndian(size, dataSize + 36 + (dataSize & 1));
        _stream.Position = 4;
        _stream.Write(size);
        BinaryPrimitives.WriteUInt32LittleEndian(size, dataSize);
        _stream.Position = 40;
        _stream.Write(size);
        _stream.Position = end;
        _stream.Flush();
    }

    public void Dispose()
    {
        try
        {
            Complete();
        }
        finally
        {
            if (_ownsStream) _stream.Dispose();
        }
    }

    private int Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        switch (Encoding)
        {
            case WavEncoding.MuLaw:
                return MuLaw.Encode(samples, destination);
            case WavEncoding.ALaw:
                return ALaw.Encode(samples, destination);
            default:
                for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(destination[(2 * i)..], samples[i]);
                return samples.Length * 2;
        }
    }

    private void WriteHeader()
    {
        Span<byte> header = stackalloc byte[WavConstants.CanonicalHeaderSize];
        var bytesPerSample = WavConstants.BytesPerSample(Encoding);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 36);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], WavConstants.FormatTag(Encoding));
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], SampleRate * bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(8 * bytesPerSample));
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], 0);
        _stream.Write(header);
    }
}
