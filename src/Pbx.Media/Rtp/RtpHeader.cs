using System.Buffers.Binary;

namespace Pbx.Media.Rtp;

/// <summary>
/// A validated view of an RTP fixed header (RFC 3550 §5.1) with the offsets of CSRCs, the header extension
/// (§5.3.1, skipped rather than interpreted) and the payload. Reading never allocates.
/// </summary>
public readonly struct RtpHeader
{
    public const int FixedHeaderSize = 12;
    public const int SupportedVersion = 2;

    public bool HasPadding { get; init; }
    public bool HasExtension { get; init; }
    public int CsrcCount { get; init; }
    public bool Marker { get; init; }
    public byte PayloadType { get; init; }
    public ushort SequenceNumber { get; init; }
    public uint Timestamp { get; init; }
    public uint Ssrc { get; init; }
    /// <summary>The 16-bit "defined by profile" field of the extension, 0 when there is none.</summary>
    public ushort ExtensionProfile { get; init; }
    /// <summary>Extension data length in bytes, excluding its 4-byte header.</summary>
    public int ExtensionLength { get; init; }
    /// <summary>Fixed header, CSRC list and extension: the offset of the payload.</summary>
    public int HeaderLength { get; init; }
    /// <summary>Payload bytes, excluding padding.</summary>
    public int PayloadLength { get; init; }
    public int PaddingLength { get; init; }

    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedHeaderSize || packet[0] >> 6 != SupportedVersion) return false;

        var hasPadding = (packet[0] & 0x20) != 0;
        var hasExtension = (packet[0] & 0x10) != 0;
        var csrcCount = packet[0] & 0x0F;
        var offset = FixedHeaderSize + (4 * csrcCount);
        ushort extensionProfile = 0;
        var extensionLength = 0;
        if (hasExtension)
        {
            if (packet.Length < offset + 4) return false;
            extensionProfile = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            extensionLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) * 4;
            offset += 4 + extensionLength;
        }
        if (packet.Length < offset) return false;

        var paddingLength = 0;
        if (hasPadding)
        {
            // RFC 3550 §5.1: the last octet counts the padding, itself included, so it can never be zero.
            paddingLength = packet[^1];
            if (paddingLength == 0 || paddingLength > packet.Length - offset) return false;
        }

        header = new RtpHeader
        {
            HasPadding = hasPadding,
            HasExtension = hasExtension,
            CsrcCount = csrcCount,
            Marker = (packet[1] & 0x80) != 0,
            PayloadType = (byte)(packet[1] & 0x7F),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            ExtensionProfile = extensionProfile,
            ExtensionLength = extensionLength,
            HeaderLength = offset,
            PayloadLength = packet.Length - offset - paddingLength,
            PaddingLength = paddingLength,
        };
        return true;
    }

    public uint GetCsrc(ReadOnlySpan<byte> packet, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(packet[(FixedHeaderSize + (4 * index))..]);
    }

    /// <summary>Extension data (after its 4-byte header); empty when there is none.</summary>
    public ReadOnlySpan<byte> GetExtension(ReadOnlySpan<byte> packet) =>
        HasExtension ? packet.Slice(HeaderLength - ExtensionLength, ExtensionLength) : [];

    public ReadOnlySpan<byte> GetPayload(ReadOnlySpan<byte> packet) => packet.Slice(HeaderLength, PayloadLength);
}
