using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;

namespace Pbx.Bench.RtpRelay;

/// <summary>
/// One call with two simulated phones on loopback, either through a relay session or, for the baseline, phone to
/// phone directly. Payload bytes 0-7 carry the send timestamp.
/// </summary>
internal sealed class BenchCall : IAsyncDisposable
{
    private readonly Socket _phoneA;
    private readonly Socket _phoneB;
    private readonly SocketAddress _relayA;
    private readonly SocketAddress _relayB;
    private readonly byte[] _packetA;
    private readonly byte[] _packetB;
    private readonly LatencyHistogram _latency;
    private readonly CancellationTokenSource _stop = new();
    private ushort _sequence;
    private Task _receivers = Task.CompletedTask;

    /// <param name="legs">Relay port leases, or null for a direct phone-to-phone baseline call.</param>
    public BenchCall(int index, (RtpPortLease A, RtpPortLease B)? legs, int payloadSize, LatencyHistogram latency)
    {
        _latency = latency;
        _phoneA = BindPhone();
        _phoneB = BindPhone();
        if (legs is { } leases)
        {
            Session = new RtpRelaySession($"bench-{index}", leases.A, leases.B);
            Session.SetRemote(RelayLeg.A, (IPEndPoint)_phoneA.LocalEndPoint!);
            Session.SetRemote(RelayLeg.B, (IPEndPoint)_phoneB.LocalEndPoint!);
            _relayA = new IPEndPoint(IPAddress.Loopback, leases.A.RtpPort).Serialize();
            _relayB = new IPEndPoint(IPAddress.Loopback, leases.B.RtpPort).Serialize();
        }
        else
        {
            _relayA = ((IPEndPoint)_phoneB.LocalEndPoint!).Serialize();
            _relayB = ((IPEndPoint)_phoneA.LocalEndPoint!).Serialize();
        }
        _packetA = CreatePacket((uint)(index * 2), payloadSize);
        _packetB = CreatePacket((uint)(index * 2) + 1, payloadSize);
    }

    public RtpRelaySession? Session { get; }
    public long SentAToB { get; private set; }
    public long SentBToA { get; private set; }
    public long ReceivedAtB;
    public long ReceivedAtA;

    public void Start()
    {
        Session?.Start();
        _receivers = Task.WhenAll(Task.Run(() => ReceiveAsync(_phoneB, isB: true)), Task.Run(() => ReceiveAsync(_phoneA, isB: false)));
    }

    /// <summary>Sends one packet each way; called by the pacing loop every packet interval.</summary>
    public void SendTick(uint timestampStep)
    {
        _sequence++;
        Stamp(_packetA, _sequence, timestampStep);
        Stamp(_packetB, _sequence, timestampStep);
        _phoneA.SendTo(_packetA, SocketFlags.None, _relayA);
        SentAToB++;
        _phoneB.SendTo(_packetB, SocketFlags.None, _relayB);
        SentBToA++;
    }

    public async Task StopReceiversAsync()
    {
        _stop.Cancel();
        _phoneA.Dispose();
        _phoneB.Dispose();
        try
        {
            await _receivers;
        }
        catch (OperationCanceledException)
        {
            // Expected: the receive loops end by cancellation.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Session is not null) await Session.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ReceiveAsync(Socket socket, bool isB)
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            if (received < RtpHeader.FixedHeaderSize + 8) continue;
            var sent = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(RtpHeader.FixedHeaderSize));
            _latency.Record(Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
            if (isB) Interlocked.Increment(ref ReceivedAtB);
            else Interlocked.Increment(ref ReceivedAtA);
        }
    }

    private static Socket BindPhone()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static byte[] CreatePacket(uint ssrc, int payloadSize)
    {
        var packet = new byte[RtpHeader.FixedHeaderSize + Math.Max(8, payloadSize)];
        RtpHeaderWriter.TryWrite(packet, new RtpHeaderFields(0, 0, 0, ssrc), out _);
        packet.AsSpan(RtpHeader.FixedHeaderSize).Fill(0xFF);
        return packet;
    }

    private static void Stamp(byte[] packet, ushort sequence, uint timestampStep)
    {
        RtpHeaderWriter.SetSequenceNumber(packet, sequence);
        RtpHeaderWriter.SetTimestamp(packet, sequence * timestampStep);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(RtpHeader.FixedHeaderSize), Stopwatch.GetTimestamp());
    }
}
