namespace Pbx.Media.Codecs;

/// <summary>
/// ITU-T G.711 µ-law (PCMU). Tables are built once from the reference segment algorithm: µ-law works on the top
/// 14 bits of a 16-bit sample, so the encoder table has one entry per 14-bit value.
/// </summary>
public static class MuLaw
{
    private const int Bias = 0x21;
    private const int Clip = 8159;
    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(sample >> 2) + 8192];

    public static short Decode(byte code) => DecodeTable[code];

    /// <summary>Encodes min(source, destination) samples; returns how many were written.</summary>
    public static int Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        var count = Math.Min(samples.Length, destination.Length);
        for (var i = 0; i < count; i++) destination[i] = EncodeTable[(samples[i] >> 2) + 8192];
        return count;
    }

    public static int Decode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        var count = Math.Min(codes.Length, destination.Length);
        for (var i = 0; i < count; i++) destination[i] = DecodeTable[codes[i]];
        return count;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            var inverted = ~code & 0xFF;
            var magnitude = (((inverted & 0x0F) << 3) + 0x84) << ((inverted & 0x70) >> 4);
            table[code] = (short)((inverted & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84);
        }
        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[16384];
        for (var index = 0; index < table.Length; index++) table[index] = EncodeFourteenBit(index - 8192);
        return table;
    }

    private static byte EncodeFourteenBit(int value)
    {
        int mask;
        if (value < 0)
        {
            value = -value;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }
        value = Math.Min(value, Clip) + Bias;
        var segment = G711Segments.Find(value, G711Segments.MuLawSegmentEnds);
        if (segment >= 8) return (byte)(0x7F ^ mask);
        return (byte)(((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask);
    }
}

/// <summary>ITU-T G.711 A-law (PCMA), on the top 13 bits of a 16-bit sample, with even bits inverted (XOR 0x55).</summary>
public static class ALaw
{
    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(sample >> 3) + 4096];

    public static short Decode(byte code) => DecodeTable[code];

    public static int Encode(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        var count = Math.Min(samples.Length, destination.Length);
        for (var i = 0; i < count; i++) destination[i] = EncodeTable[(samples[i] >> 3) + 4096];
        return count;
    }

    public static int Decode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        var count = Math.Min(codes.Length, destination.Length);
        for (var i = 0; i < count; i++) destination[i] = DecodeTable[codes[i]];
        return count;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            var value = code ^ 0x55;
            var magnitude = (value & 0x0F) << 4;
            var segment = (value & 0x70) >> 4;
            magnitude = segment switch
            {
                0 => magnitude + 8,
                1 => magnitude + 0x108,
                _ => (magnitude + 0x108) << (segment - 1),
            };
            table[code] = (short)((value & 0x80) != 0 ? magnitude : -magnitude);
        }
        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[8192];
        for (var index = 0; index < table.Length; index++) table[index] = EncodeThirteenBit(index - 4096);
        return table;
    }

    private static byte EncodeThirteenBit(int value)
    {
        int mask;
        if (value >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            value = -value - 1;
        }
        var segment = G711Segments.Find(value, G711Segments.ALawSegmentEnds);
        if (segment >= 8) return (byte)(0x7F ^ mask);
        var code = segment << 4;
        code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
        return (byte)(code ^ mask);
    }
}

internal static class G711Segments
{
    public static ReadOnlySpan<int> MuLawSegmentEnds => [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    public static ReadOnlySpan<int> ALawSegmentEnds => [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

    public static int Find(int value, ReadOnlySpan<int> segmentEnds)
    {
        for (var segment = 0; segment < segmentEnds.Length; segment++)
        {
            if (value <= segmentEnds[segment]) return segment;
        }
        return segmentEnds.Length;
    }
}
