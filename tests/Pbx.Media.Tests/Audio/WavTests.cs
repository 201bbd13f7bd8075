using System.Buffers.Binary;
using Pbx.Media.Audio;
using Pbx.Media.Tests.Support;

namespace Pbx.Media.Tests.Audio;

public sealed class WavTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pbx-wav-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void Pcm16_round_trips_exactly(int sampleRate)
    {
        var samples = Signals.Sine(440, 12000, sampleRate, sampleRate / 2);
        var path = Path.Combine(_directory, $"pcm{sampleRate}.wav");
        WavWriter.WriteFile(path, samples, sampleRate);

        var result = WavReader.ReadFile(path);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(sampleRate, result.Audio!.SampleRate);
        Assert.Equal(WavEncoding.Pcm16, result.Audio.SourceEncoding);
        Assert.Equal(samples, result.Audio.Samples);
        Assert.Equal(44 + (samples.Length * 2), new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(WavEncoding.MuLaw)]
    [InlineData(WavEncoding.ALaw)]
    public void G711_files_decode_close_to_the_original(WavEncoding encoding)
    {
        var samples = Signals.Sine(1000, 8000, 8000, 801);
        var path = Path.Combine(_directory, $"{encoding}.wav");
        WavWriter.WriteFile(path, samples, 8000, encoding);

        var result = WavReader.ReadFile(path);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(encoding, result.Audio!.SourceEncoding);
        Assert.Equal(801, result.Audio.Samples.Length);
        var (snr, delay) = Signals.BestSnr(samples, result.Audio.Samples, 0, 0);
        Assert.Equal(0, delay);
        Assert.True(snr > 30, $"SNR {snr:F1}");
        // 801 one-byte samples are padded to an even chunk length.
        Assert.Equal(44 + 802, new FileInfo(path).Length);
    }

    [Fact]
    public void Unknown_chunks_are_skipped_and_an_unset_data_size_reads_to_the_end()
    {
        var data = new byte[] { 1, 0, 2, 0, 3, 0 };
        var file = BuildWav(1, 1, 8000, 16, data, extraChunk: true, dataSize: 0xFFFFFFFF);
        var result = WavReader.Read(file);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(new short[] { 1, 2, 3 }, result.Audio!.Samples);
    }

    [Theory]
    [InlineData(1, 2, 8000, 16, "channels")]
    [InlineData(1, 1, 44100, 16, "sample rate")]
    [InlineData(1, 1, 8000, 8, "8-bit PCM")]
    [InlineData(3, 1, 8000, 32, "format tag 3")]
    [InlineData(7, 1, 16000, 8, "sample rate")]
    [InlineData(6, 1, 8000, 16, "8 expected")]
    public void Unsupported_formats_are_refused_with_a_reason(ushort tag, ushort channels, int rate, ushort bits, string reason)
    {
        var result = WavReader.Read(BuildWav(tag, channels, rate, bits, new byte[16]));
        Assert.False(result.IsSuccess);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_and_truncated_files_return_errors_without_throwing()
    {
        var valid = BuildWav(1, 1, 8000, 16, new byte[64]);
        Assert.False(WavReader.Read([]).IsSuccess);
        Assert.False(WavReader.Read("RIFF\0\0\0\0WAVX"u8).IsSuccess);
        for (var length = 0; length < 44; length++) Assert.False(WavReader.Read(valid.AsSpan(0, length)).IsSuccess);

        var random = new Random(7);
        for (var round = 0; round < 2000; round++)
        {
            var corrupted = (byte[])valid.Clone();
            for (var flips = 0; flips < 4; flips++) corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            var result = WavReader.Read(corrupted);
            Assert.True(result.IsSuccess || result.Error is not null);
        }
    }

    [Fact]
    public void Missing_files_report_the_path()
    {
        var path = Path.Combine(_directory, "absent.wav");
        var result = WavReader.ReadFile(path);
        Assert.False(result.IsSuccess);
        Assert.Contains("absent.wav", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_streamed_recording_can_be_read_back_after_completion()
    {
        var path = Path.Combine(_directory, "streamed.wav");
        var frame = Signals.Sine(700, 5000, 8000, 160);
        using (var writer = WavWriter.Create(path, 8000))
        {
            for (var i = 0; i < 50; i++) writer.Append(frame);
            Assert.Equal(8000, writer.SamplesWritten);
        }
        var result = WavReader.ReadFile(path);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Audio!.Duration);
    }

    private static byte[] BuildWav(ushort tag, ushort channels, int rate, ushort bits, byte[] data, bool extraChunk = false, uint? dataSize = null)
    {
        using var stream = new MemoryStream();
        var word = new byte[4];
        void U32(uint value) { BinaryPrimitives.WriteUInt32LittleEndian(word, value); stream.Write(word, 0, 4); }
        void U16(ushort value) { BinaryPrimitives.WriteUInt16LittleEndian(word, value); stream.Write(word, 0, 2); }
        stream.Write("RIFF"u8);
        U32(0);
        stream.Write("WAVE"u8);
        if (extraChunk)
        {
            stream.Write("LIST"u8);
            U32(3);
            stream.Write([1, 2, 3, 0]);
        }
        stream.Write("fmt "u8);
        U32(16);
        U16(tag);
        U16(channels);
        U32((uint)rate);
        U32((uint)(rate * channels * bits / 8));
        U16((ushort)(channels * bits / 8));
        U16(bits);
        stream.Write("data"u8);
        U32(dataSize ?? (uint)data.Length);
        stream.Write(data);
        return stream.ToArray();
    }
}
