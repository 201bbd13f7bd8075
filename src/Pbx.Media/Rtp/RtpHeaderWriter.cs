using System.Buffers.Binary;

namespace Pbx.Media.Rtp;

/// <summary>Fields of an RTP header to write; no padding or extension.</summary>
public readonly record struct RtpHeaderFields(byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker = false);

/// <summary>Writes RTP headers and patches fields of existing packets in place.</summary>
public static class RtpHeaderWriter
{
    /// <summary>Writes a fixed header followed by the CSRC list; false when the destination is too small or the input is out of range.</summary>
    public static bool TryWrite(Span<byte> destination, in RtpHeaderFields fields, ReadOnlySpan<uint> csrcs, out int bytesWritten)
    {
        bytesWritten = 0;
        var length = RtpHeader.FixedHeaderSize + (4 * csrcs.Length);
        if (csrcs.Length > 15 || fields.PayloadType > 127 || destination.Length < length) return false;
        destination[0] = (byte)((RtpHeader.SupportedVersion << 6) | csrcs.Length);
        destination[1] = (byte)((fields.Marker ? 0x80 : 0) | fields.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], fields.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], fields.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], fields.Ssrc);
        for (var i = 0; i < csrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(RtpHeader.FixedHeaderSize + (4 * i))..], csrcs[i]);
        }
        bytesWritten = length;
        return true;
    }

    public static bool TryWrite(Span<byte> destination, in RtpHeaderFields fields, out int bytesWritten) =>
        TryWrite(destination, fields, [], out bytesWritten);

    /// <summary>Replaces the payload type, keeping the marker bit. The packet must hold at least a fixed header.</summary>
    public static void SetPayloadType(Span<byte> packet, byte payloadType) =>
        packet[1] = (byte)((packet[1] & 0x80) | (payloadType & 0x7F));

    public static void SetMarker(Span<byte> packet, bool marker) =>
        packet[1] = (byte)(marker ? packet[1] | 0x80 : packet[1] & 0x7F);

    public static void SetSequenceNumber(Span<byte> packet, ushort sequenceNumber) =>
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequenceNumber);

    public static void SetTimestamp(Span<byte> packet, uint timestamp) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp);

    public static void SetSsrc(Span<byte> packet, uint ssrc) =>
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
}
