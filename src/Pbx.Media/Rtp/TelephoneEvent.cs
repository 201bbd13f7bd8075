using System.Buffers.Binary;

namespace Pbx.Media.Rtp;

/// <summary>
/// RFC 4733 §2.3 named-event payload: event code, end bit, volume (0-63, -dBm0) and duration in timestamp units.
/// </summary>
public readonly record struct TelephoneEvent(byte EventCode, bool IsEnd, byte Volume, ushort Duration)
{
    public const int Size = 4;
    public const int MaxVolume = 63;

    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        telephoneEvent = default;
        // Redundant events are never packed in one payload without RFC 2198, so anything shorter is malformed.
        if (payload.Length < Size) return false;
        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the payload; the reserved bit is sent as zero. False when too small or the volume is out of range.</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size || Volume > MaxVolume) return false;
        destination[0] = EventCode;
        destination[1] = (byte)((IsEnd ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return true;
    }

    /// <summary>DTMF digit for events 0-15 (RFC 4733 §3.2), '\0' otherwise.</summary>
    public char DtmfDigit => EventCode switch
    {
        <= 9 => (char)('0' + EventCode),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + EventCode - 12),
        _ => '\0',
    };

    public static bool TryGetEventCode(char digit, out byte eventCode)
    {
        eventCode = char.ToUpperInvariant(digit) switch
        {
            >= '0' and <= '9' => (byte)(digit - '0'),
            '*' => 10,
            '#' => 11,
            >= 'A' and <= 'D' => (byte)(char.ToUpperInvariant(digit) - 'A' + 12),
            _ => byte.MaxValue,
        };
        return eventCode != byte.MaxValue;
    }
}
