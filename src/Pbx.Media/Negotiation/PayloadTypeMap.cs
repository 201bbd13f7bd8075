using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>
/// Rewrites RTP payload type numbers for one relay direction. RFC 3264 §5.1: the numbers in a description are
/// those its author expects to receive, so a sender uses the numbering of the description we gave it, and the
/// receiver expects the numbering of the description it gave us. Unmapped types pass through unchanged.
/// </summary>
public sealed class PayloadTypeMap
{
    private readonly byte[] _table = new byte[128];

    private PayloadTypeMap()
    {
        for (var i = 0; i < _table.Length; i++) _table[i] = (byte)i;
    }

    public static PayloadTypeMap Identity { get; } = new();

    /// <summary>True when no payload type changes, so the relay can skip the rewrite.</summary>
    public bool IsIdentity { get; private set; } = true;

    /// <param name="sentToSender">The description we sent to the leg the packets come from.</param>
    /// <param name="receivedFromReceiver">The description the leg the packets go to sent us.</param>
    public static PayloadTypeMap Create(MediaDescription sentToSender, MediaDescription receivedFromReceiver)
    {
        var map = new PayloadTypeMap();
        foreach (var senderType in sentToSender.GetPayloadTypes())
        {
            if (!CodecCatalogue.TryResolve(sentToSender, senderType, out var codec)) continue;
            foreach (var receiverType in receivedFromReceiver.GetPayloadTypes())
            {
                if (!CodecCatalogue.TryResolve(receivedFromReceiver, receiverType, out var receiverCodec) || !receiverCodec.SameCodecAs(codec)) continue;
                map._table[senderType] = (byte)receiverType;
                if (senderType != receiverType) map.IsIdentity = false;
                break;
            }
        }
        return map;
    }

    public byte Map(byte payloadType) => _table[payloadType & 0x7F];

    internal ReadOnlySpan<byte> Table => _table;
}
