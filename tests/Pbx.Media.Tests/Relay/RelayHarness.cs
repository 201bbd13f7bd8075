using System.Net;
using System.Net.Sockets;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Ports;

namespace Pbx.Media.Tests.Relay;

/// <summary>A relay session on 127.0.0.1 with two fake phones, each with an RTP and an RTCP socket.</summary>
internal sealed class RelayHarness : IAsyncDisposable
{
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);

    public RelayHarness(RtpRelayOptions? options = null, bool signalRemotes = true)
    {
        var basePort = FreePortRange.Find(8);
        Allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 7, BindAddress = IPAddress.Loopback });
        var legA = Allocator.Allocate();
        var legB = Allocator.Allocate();
        Assert.True(legA.IsSuccess && legB.IsSuccess, legA.Reason ?? legB.Reason);
        Session = new RtpRelaySession("test-call", legA.Lease!, legB.Lease!, options);
        PhoneA = new FakePhone();
        PhoneB = new FakePhone();
        if (signalRemotes)
        {
            Session.SetRemote(RelayLeg.A, PhoneA.RtpEndPoint, PhoneA.RtcpEndPoint);
            Session.SetRemote(RelayLeg.B, PhoneB.RtpEndPoint, PhoneB.RtcpEndPoint);
        }
        Session.Start();
    }

    public RtpPortAllocator Allocator { get; }
    public RtpRelaySession Session { get; }
    public FakePhone PhoneA { get; }
    public FakePhone PhoneB { get; }

    public IPEndPoint RelayRtp(RelayLeg leg) => new(IPAddress.Loopback, Session.GetLocalPorts(leg).RtpPort);
    public IPEndPoint RelayRtcp(RelayLeg leg) => new(IPAddress.Loopback, Session.GetLocalPorts(leg).RtcpPort);

    public static byte[] RtpPacket(ushort sequence, byte payloadType = 0, int payloadLength = 160, byte fill = 0x55)
    {
        var packet = new byte[RtpHeader.FixedHeaderSize + payloadLength];
        RtpHeaderWriter.TryWrite(packet, new RtpHeaderFields(payloadType, sequence, sequence * 160u, 0x1234), out _);
        packet.AsSpan(RtpHeader.FixedHeaderSize).Fill(fill);
        return packet;
    }

    public static byte[] RtcpReceiverReport(uint ssrc) => [0x80, 201, 0, 1, (byte)(ssrc >> 24), (byte)(ssrc >> 16), (byte)(ssrc >> 8), (byte)ssrc];

    /// <summary>Polls until the condition holds or the timeout passes; relay counters update on other threads.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ReceiveTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        PhoneA.Dispose();
        PhoneB.Dispose();
    }
}

internal sealed class FakePhone : IDisposable
{
    public FakePhone()
    {
        Rtp = Bind();
        Rtcp = Bind();
    }

    public Socket Rtp { get; }
    public Socket Rtcp { get; }
    public IPEndPoint RtpEndPoint => (IPEndPoint)Rtp.LocalEndPoint!;
    public IPEndPoint RtcpEndPoint => (IPEndPoint)Rtcp.LocalEndPoint!;

    public static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>Receives one datagram or returns null after the timeout.</summary>
    public static async Task<(byte[] Data, IPEndPoint From)?> ReceiveAsync(Socket socket, TimeSpan? timeout = null)
    {
        var buffer = new byte[2048];
        using var cancellation = new CancellationTokenSource(timeout ?? RelayHarness.ReceiveTimeout);
        try
        {
            var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), cancellation.Token);
            return (buffer[..result.ReceivedBytes], (IPEndPoint)result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        Rtp.Dispose();
        Rtcp.Dispose();
    }
}
