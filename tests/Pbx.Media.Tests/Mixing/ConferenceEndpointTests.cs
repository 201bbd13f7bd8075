using System.Net;
using System.Net.Sockets;
using Pbx.Media.Codecs;
using Pbx.Media.Endpoint;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Endpoint;
using Pbx.Media.Tests.Ports;
using Pbx.Media.Tests.Relay;
using Pbx.Media.Tests.Support;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Mixing;

/// <summary>Two real RTP endpoints in one room on 127.0.0.1: each phone hears the other through the mixer, not itself.</summary>
public sealed class ConferenceEndpointTests
{
    [Fact]
    public async Task Phones_in_a_room_hear_each_other_over_rtp_and_not_themselves()
    {
        var basePort = FreePortRange.Find(4);
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3, BindAddress = IPAddress.Loopback });
        using var ticker = new MediaTicker();
        using var mixer = new ConferenceMixer(ticker, new ConferenceMixerOptions { PlayJoinLeaveTones = false });
        var room = mixer.CreateRoom("rtp-room");
        using var phoneA = FakePhone.Bind();
        using var phoneB = FakePhone.Bind();
        await using var endpointA = new RtpMediaEndpoint("a", allocator.Allocate().Lease!, ticker, new EndpointMediaFormat(AudioCodec.Pcmu, 0));
        await using var endpointB = new RtpMediaEndpoint("b", allocator.Allocate().Lease!, ticker, new EndpointMediaFormat(AudioCodec.G722, 9));
        endpointA.SetRemote((IPEndPoint)phoneA.LocalEndPoint!);
        endpointB.SetRemote((IPEndPoint)phoneB.LocalEndPoint!);
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(endpointA, out _));
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(endpointB, out _));
        endpointA.Start();
        endpointB.Start();
        ticker.Start();

        // Phone A talks 500 Hz in µ-law, phone B 1200 Hz in G.722, 1.5 s each, paced at 20 ms.
        var toneA = Signals.Sine(500, 8000, 8000, 12000);
        var toneB = Signals.Sine(1200, 8000, 16000, 24000);
        var g722 = new G722Encoder();
        var packetsA = new List<byte[]>();
        var packetsB = new List<byte[]>();
        for (var i = 0; i < 75; i++)
        {
            var mu = new byte[160];
            MuLaw.Encode(toneA.AsSpan(i * 160, 160), mu);
            packetsA.Add(EndpointHarness.Packet(0, (ushort)i, (uint)(i * 160), mu));
            var wide = new byte[160];
            g722.Encode(toneB.AsSpan(i * 320, 320), wide);
            packetsB.Add(EndpointHarness.Packet(9, (ushort)i, (uint)(i * 160), wide));
        }
        var receiveA = Collect(phoneA, 75);
        var receiveB = Collect(phoneB, 75);
        var endpointAddressA = new IPEndPoint(IPAddress.Loopback, endpointA.LocalRtpPort);
        var endpointAddressB = new IPEndPoint(IPAddress.Loopback, endpointB.LocalRtpPort);
        var start = DateTime.UtcNow;
        for (var i = 0; i < 75; i++)
        {
            var wait = start + TimeSpan.FromMilliseconds(20 * i) - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            await phoneA.SendToAsync(packetsA[i], SocketFlags.None, endpointAddressA);
            await phoneB.SendToAsync(packetsB[i], SocketFlags.None, endpointAddressB);
        }

        var heardByA = DecodeAll(await receiveA, new PcmuDecoder());
        var heardByB = DecodeAll(await receiveB, new G722Stream());
        // Half-second windows over everything heard: on a loaded machine the audio may sit earlier or later in the
        // stream, but the other's tone must be loud in some window and one's own tone quiet in every window.
        Assert.True(Windows(heardByA, 8000).Max(w => Signals.TonePower(w, 1200, 8000)) > 1e6, "A hears B");
        Assert.True(Windows(heardByA, 8000).Max(w => Signals.TonePower(w, 500, 8000)) < 1e4, "A does not hear itself");
        Assert.True(Windows(heardByB, 16000).Max(w => Signals.TonePower(w, 500, 16000)) > 1e6, "B hears A");
        Assert.True(Windows(heardByB, 16000).Max(w => Signals.TonePower(w, 1200, 16000)) < 1e4, "B does not hear itself");
    }

    private static IEnumerable<short[]> Windows(short[] samples, int sampleRate)
    {
        var length = sampleRate / 2;
        if (samples.Length <= length) { yield return samples; yield break; }
        for (var start = 0; start + length <= samples.Length; start += length / 4) yield return samples.AsSpan(start, length).ToArray();
    }

    private interface IStreamDecoder
    {
        int Decode(ReadOnlySpan<byte> payload, Span<short> samples);
    }

    private sealed class PcmuDecoder : IStreamDecoder
    {
        public int Decode(ReadOnlySpan<byte> payload, Span<short> samples) => MuLaw.Decode(payload, samples);
    }

    private sealed class G722Stream : IStreamDecoder
    {
        private readonly G722Decoder _decoder = new();
        public int Decode(ReadOnlySpan<byte> payload, Span<short> samples) => _decoder.Decode(payload, samples);
    }

    private static short[] DecodeAll(List<byte[]> packets, IStreamDecoder decoder)
    {
        var audio = new List<short>();
        var frame = new short[320];
        foreach (var packet in packets)
        {
            Assert.True(RtpHeader.TryRead(packet, out var header));
            var count = decoder.Decode(header.GetPayload(packet), frame);
            audio.AddRange(frame.Take(count));
        }
        return [.. audio];
    }

    private static async Task<List<byte[]>> Collect(Socket socket, int count)
    {
        var packets = new List<byte[]>();
        while (packets.Count < count)
        {
            var received = await FakePhone.ReceiveAsync(socket);
            if (received is null) break;
            packets.Add(received.Value.Data);
        }
        return packets;
    }
}
