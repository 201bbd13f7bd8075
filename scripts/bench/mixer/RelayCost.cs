using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Negotiation;
using Pbx.Media.Rtp;

namespace Pbx.Bench.Mixer;

/// <summary>
/// The per-packet work of the relay (src/Pbx.Media/Relay/RelayForwarder) without its socket calls: classify and
/// validate the RTP header, compare the source with the latched address, rewrite the payload type. Two packets
/// per call per 20 ms (one each way). The socket-inclusive cost is what scripts/bench/rtp-relay measures.
/// </summary>
internal static class RelayCost
{
    public static double NanosecondsPerCallTick(int calls, int ticks)
    {
        var packets = new byte[calls * 2][];
        var sources = new SocketAddress[calls * 2];
        var latched = new SocketAddress[calls * 2];
        for (var i = 0; i < packets.Length; i++)
        {
            packets[i] = new byte[172];
            RtpHeaderWriter.TryWrite(packets[i], new RtpHeaderFields(0, (ushort)i, (uint)i * 160, (uint)i), out _);
            sources[i] = new IPEndPoint(IPAddress.Loopback, 20000 + i).Serialize();
            latched[i] = new IPEndPoint(IPAddress.Loopback, 20000 + i).Serialize();
        }
        // The rewrite is done unconditionally (the relay skips it for identity maps), to count its table lookup.
        var map = PayloadTypeMap.Identity;
        var accepted = 0L;
        var stopwatch = Stopwatch.StartNew();
        for (var tick = 0; tick < ticks; tick++)
        {
            for (var i = 0; i < packets.Length; i++)
            {
                var packet = packets[i].AsSpan();
                if (RtpPacketClassifier.Classify(packet) != RtpPacketKind.Rtp || !RtpHeader.TryRead(packet, out _)) continue;
                if (!latched[i].Equals(sources[i])) continue;
                RtpHeaderWriter.SetPayloadType(packet, map.Map((byte)(packet[1] & 0x7F)));
                RtpHeaderWriter.SetSequenceNumber(packet, (ushort)tick);
                accepted++;
            }
        }
        var elapsed = stopwatch.Elapsed;
        if (accepted != (long)ticks * packets.Length) throw new InvalidOperationException("relay simulation rejected packets");
        return elapsed.TotalNanoseconds / ((double)calls * ticks);
    }
}
