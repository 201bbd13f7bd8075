using System.Buffers.Binary;

namespace Pbx.Media.Rtp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).</summary>
public enum RtcpPacketType : byte
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Goodbye = 203,
    ApplicationDefined = 204,
    TransportFeedback = 205,
    PayloadFeedback = 206,
    ExtendedReport = 207,
}

/// <summary>Common header of one RTCP packet inside a compound packet (RFC 3550 §6.4).</summary>
public readonly record struct RtcpHeader(bool HasPadding, int Count, byte PacketType, int LengthInBytes)
{
    public const int Size = 4;

    public bool IsKnownType => PacketType is >= (byte)RtcpPacketType.SenderReport and <= (byte)RtcpPacketType.ExtendedReport;
}

/// <summary>Walks the packets of a compound RTCP datagram without allocating.</summary>
public ref struct RtcpCompoundEnumerator
{
    private readonly ReadOnlySpan<byte> _datagram;
    private int _offset;

    public RtcpCompoundEnumerator(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
        _offset = 0;
    }

    public RtcpHeader Current { get; private set; }
    public ReadOnlySpan<byte> CurrentPacket { get; private set; }
    /// <summary>Set when enumeration stopped on a header that does not fit or is not version 2.</summary>
    public bool IsMalformed { get; private set; }

    public bool MoveNext()
    {
        if (IsMalformed || _offset >= _datagram.Length) return false;
        var rest = _datagram[_offset..];
        if (rest.Length < RtcpHeader.Size || rest[0] >> 6 != 2)
        {
            IsMalformed = true;
            return false;
        }
        // The length field counts 32-bit words minus one, header included.
        var length = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1) * 4;
        if (length > rest.Length)
        {
            IsMalformed = true;
            return false;
        }
        Current = new RtcpHeader((rest[0] & 0x20) != 0, rest[0] & 0x1F, rest[1], length);
        CurrentPacket = rest[..length];
        _offset += length;
        return true;
    }
}

public static class RtcpPacket
{
    /// <summary>
    /// RFC 3550 Appendix A.2 checks: every packet version 2, lengths adding up to the datagram, padding only on the
    /// last one and, unless <paramref name="allowReducedSize"/> (RFC 5506), a report first.
    /// </summary>
    public static bool IsValidCompound(ReadOnlySpan<byte> datagram, bool allowReducedSize = false)
    {
        if (datagram.Length < RtcpHeader.Size) return false;
        var enumerator = new RtcpCompoundEnumerator(datagram);
        var index = 0;
        var sawPadding = false;
        while (enumerator.MoveNext())
        {
            var header = enumerator.Current;
            if (sawPadding) return false;
            sawPadding = header.HasPadding;
            if (index == 0 && !allowReducedSize
                && header.PacketType is not ((byte)RtcpPacketType.SenderReport or (byte)RtcpPacketType.ReceiverReport)) return false;
            if (index == 0 && !header.IsKnownType) return false;
            index++;
        }
        return !enumerator.IsMalformed && index > 0;
    }

    /// <summary>Packet types of a compound datagram in order; returns how many were written to <paramref name="types"/>.</summary>
    public static int GetPacketTypes(ReadOnlySpan<byte> datagram, Span<byte> types)
    {
        var count = 0;
        var enumerator = new RtcpCompoundEnumerator(datagram);
        while (count < types.Length && enumerator.MoveNext()) types[count++] = enumerator.Current.PacketType;
        return count;
    }

    /// <summary>SSRC of the sender of the first packet (bytes 4-7), when present.</summary>
    public static bool TryGetSenderSsrc(ReadOnlySpan<byte> datagram, out uint ssrc)
    {
        ssrc = 0;
        if (datagram.Length < 8) return false;
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        return true;
    }
}

public enum RtpPacketKind
{
    Invalid,
    Rtp,
    Rtcp,
}

/// <summary>Tells RTP from RTCP on one port (RFC 5761 §4): RTCP types 192-223 never collide with RTP payload types.</summary>
public static class RtpPacketClassifier
{
    public static RtpPacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < RtcpHeader.Size || datagram[0] >> 6 != 2) return RtpPacketKind.Invalid;
        if (datagram[1] is >= 192 and <= 223) return RtpPacketKind.Rtcp;
        return datagram.Length >= RtpHeader.FixedHeaderSize ? RtpPacketKind.Rtp : RtpPacketKind.Invalid;
    }
}
