using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Endpoint;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Ports;
using Pbx.Media.Tests.Relay;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Endpoint;

/// <summary>A media endpoint on 127.0.0.1 driven by a real 20 ms ticker, and a test socket playing the phone.</summary>
internal sealed class EndpointHarness : IAsyncDisposable
{
    public EndpointHarness(AudioCodec? codec = null, byte payloadType = 0, byte? telephoneEvent = 101, MediaEndpointOptions? options = null, bool signalRemote = true)
    {
        var basePort = FreePortRange.Find(4);
        Allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3, BindAddress = IPAddress.Loopback });
        var allocation = Allocator.Allocate();
        Assert.True(allocation.IsSuccess, allocation.Reason);
        Ticker = new MediaTicker();
        Endpoint = new RtpMediaEndpoint("test-endpoint", allocation.Lease!, Ticker, new EndpointMediaFormat(codec ?? AudioCodec.Pcmu, payloadType, telephoneEvent), options);
        Phone = FakePhone.Bind();
        if (signalRemote) Endpoint.SetRemote(PhoneEndPoint);
        Endpoint.DtmfReceived += (_, args) => Digits.Enqueue(args);
        Endpoint.PlaybackFinished += (_, _) => Interlocked.Increment(ref _playbackFinished);
    }

    private int _playbackFinished;

    public RtpPortAllocator Allocator { get; }
    public MediaTicker Ticker { get; }
    public RtpMediaEndpoint Endpoint { get; }
    public Socket Phone { get; }
    public IPEndPoint PhoneEndPoint => (IPEndPoint)Phone.LocalEndPoint!;
    public IPEndPoint EndpointRtp => new(IPAddress.Loopback, Endpoint.LocalRtpPort);
    public ConcurrentQueue<DtmfReceivedEventArgs> Digits { get; } = new();
    public int PlaybackFinishedCount => Volatile.Read(ref _playbackFinished);

    public void Start()
    {
        Endpoint.Start();
        Ticker.Start();
    }

    /// <summary>Receives RTP packets at the phone until <paramref name="count"/> arrived or the timeout passed.</summary>
    public async Task<List<(RtpHeader Header, byte[] Packet)>> ReceiveAsync(int count, TimeSpan? timeout = null)
    {
        var packets = new List<(RtpHeader, byte[])>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (packets.Count < count && DateTime.UtcNow < deadline)
        {
            var received = await FakePhone.ReceiveAsync(Phone, deadline - DateTime.UtcNow);
            if (received is null) break;
            Assert.True(RtpHeader.TryRead(received.Value.Data, out var header));
            packets.Add((header, received.Value.Data));
        }
        return packets;
    }

    /// <summary>Sends RTP frames from the phone paced at 20 ms on absolute deadlines, like a real phone.</summary>
    public async Task SendPacedAsync(IReadOnlyList<byte[]> packets)
    {
        var start = DateTime.UtcNow;
        for (var i = 0; i < packets.Count; i++)
        {
            var due = start + TimeSpan.FromMilliseconds(20 * i);
            var wait = due - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            await Phone.SendToAsync(packets[i], SocketFlags.None, EndpointRtp);
        }
    }

    public static byte[] Packet(byte payloadType, ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, bool marker = false, uint ssrc = 0x5EED)
    {
        var packet = new byte[RtpHeader.FixedHeaderSize + payload.Length];
        RtpHeaderWriter.TryWrite(packet, new RtpHeaderFields(payloadType, sequence, timestamp, ssrc, marker), out _);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedHeaderSize));
        return packet;
    }

    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        Ticker.Dispose();
        Phone.Dispose();
    }
}
