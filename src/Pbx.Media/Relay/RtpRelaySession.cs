using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;

namespace Pbx.Media.Relay;

/// <summary>
/// Media relay for one two-leg call: RTP and RTCP from leg A go out of leg B's sockets to B's phone and back,
/// without decoding. Destinations follow symmetric RTP: the SDP address until the phone's first valid packet,
/// then the address that packet really came from, locked until <see cref="Relatch"/>.
/// The session owns both port leases once constructed: stopping or disposing it closes the sockets and frees the
/// ports (if the constructor throws, the caller still owns them). <see cref="RtpRelaySessionFactory"/> does both.
/// </summary>
public sealed class RtpRelaySession : IAsyncDisposable, IDisposable
{
    private readonly RelayLegState _legA;
    private readonly RelayLegState _legB;
    private readonly RelayForwarder _rtpAToB;
    private readonly RelayForwarder _rtpBToA;
    private readonly RelayForwarder _rtcpAToB;
    private readonly RelayForwarder _rtcpBToA;
    private readonly RtpRelayOptions _options;
    private readonly ILogger _logger;
    private Task _loops = Task.CompletedTask;
    private long _startTimestamp;
    private int _started;
    private int _stopping;

    public RtpRelaySession(string name, RtpPortLease legA, RtpPortLease legB, RtpRelayOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(legA);
        ArgumentNullException.ThrowIfNull(legB);
        if (ReferenceEquals(legA, legB)) throw new ArgumentException("The two legs need their own port leases.", nameof(legB));
        Name = name;
        _options = options ?? new RtpRelayOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDatagramSize, 64);
        _logger = logger ?? NullLogger.Instance;
        _legA = new RelayLegState(RelayLeg.A, legA);
        _legB = new RelayLegState(RelayLeg.B, legB);
        _rtpAToB = new RelayForwarder(this, _legA, _legB, RelayStreamKind.Rtp, _options, _logger);
        _rtpBToA = new RelayForwarder(this, _legB, _legA, RelayStreamKind.Rtp, _options, _logger);
        _rtcpAToB = new RelayForwarder(this, _legA, _legB, RelayStreamKind.Rtcp, _options, _logger);
        _rtcpBToA = new RelayForwarder(this, _legB, _legA, RelayStreamKind.Rtcp, _options, _logger);
        _startTimestamp = _options.TimeProvider.GetTimestamp();
    }

    public string Name { get; }

    internal bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>The ports we advertise to the phone on <paramref name="leg"/>.</summary>
    public (int RtpPort, int RtcpPort) GetLocalPorts(RelayLeg leg)
    {
        var lease = GetLeg(leg).Lease;
        return (lease.RtpPort, lease.RtcpPort);
    }

    /// <summary>
    /// Where the phone on <paramref name="leg"/> said it receives (from its SDP). Used until that phone's packets
    /// latch; null stops sending to it until then. RTCP defaults to RTP + 1 (RFC 3605).
    /// </summary>
    public void SetRemote(RelayLeg leg, IPEndPoint? rtp, IPEndPoint? rtcp = null)
    {
        if (rtcp is null && rtp is not null && rtp.Port < IPEndPoint.MaxPort) rtcp = new IPEndPoint(rtp.Address, rtp.Port + 1);
        GetLeg(leg).SetSignalled(rtp, rtcp);
    }

    /// <summary>Payload type rewrite for packets flowing in <paramref name="direction"/>; see <see cref="PayloadTypeMap.Create"/>.</summary>
    public void SetPayloadTypeMap(RelayDirection direction, PayloadTypeMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        (direction == RelayDirection.AToB ? _rtpAToB : _rtpBToA).PayloadTypeMap = map;
    }

    /// <summary>
    /// A DTMF key press (RFC 4733) the phone on the given leg sent, once per press. Raised on a relay thread: handlers
    /// must return quickly and not throw.
    /// </summary>
    public event Action<RelayLeg, char>? DigitReceived;

    /// <summary>Reports RFC 4733 events arriving from <paramref name="leg"/> with this payload type; -1 stops.</summary>
    public void SetTelephoneEventPayloadType(RelayLeg leg, int payloadType) =>
        (leg == RelayLeg.A ? _rtpAToB : _rtpBToA).TelephoneEventPayloadType = payloadType;

    internal void OnDigit(RelayLeg from, char digit) => DigitReceived?.Invoke(from, digit);

    /// <summary>
    /// Stops (or resumes) sending RTP in <paramref name="direction"/> on; packets still latch and count as activity.
    /// Used while the server itself plays to the receiving leg (<see cref="RelayAudioInjector"/>).
    /// </summary>
    public void SetSuppressed(RelayDirection direction, bool suppressed) =>
        (direction == RelayDirection.AToB ? _rtpAToB : _rtpBToA).Suppressed = suppressed;

    /// <summary>Hands every RTP packet the phone on <paramref name="leg"/> sends to <paramref name="sink"/> as well (null stops).</summary>
    public void SetSink(RelayLeg leg, IRelayPacketSink? sink) => (leg == RelayLeg.A ? _rtpAToB : _rtpBToA).Sink = sink;

    /// <summary>
    /// Sends an RTP packet of our own to the phone on <paramref name="leg"/>, from that leg's RTP port (so it arrives
    /// where the phone expects our media), to its latched or signalled address. False when there is nowhere to send.
    /// </summary>
    public bool TrySendToLeg(RelayLeg leg, ReadOnlySpan<byte> packet)
    {
        if (IsStopping) return false;
        var state = GetLeg(leg);
        if (state.RtpLatch.Destination is not { } destination) return false;
        try
        {
            state.Lease.RtpSocket.SendTo(packet, System.Net.Sockets.SocketFlags.None, destination);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public void Start()
    {
        ObjectDisposedException.ThrowIf(IsStopping, this);
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        _startTimestamp = _options.TimeProvider.GetTimestamp();
        // The loops must not inherit the caller's ExecutionContext (logging scopes, Activity, other AsyncLocals):
        // a non-default context makes every socket completion allocate a work item to flow it.
        using (ExecutionContext.SuppressFlow())
        {
            _loops = Task.WhenAll(
                Task.Run(_rtpAToB.RunAsync),
                Task.Run(_rtpBToA.RunAsync),
                Task.Run(_rtcpAToB.RunAsync),
                Task.Run(_rtcpBToA.RunAsync));
        }
        RelayLog.Started(_logger, Name, _legA.Lease.RtpPort, _legA.Lease.RtcpPort, _legB.Lease.RtpPort, _legB.Lease.RtcpPort);
    }

    /// <summary>
    /// Unlocks RTP and RTCP latching of <paramref name="leg"/>, typically after a re-INVITE that may move the phone:
    /// call <see cref="SetRemote"/> with the new SDP address first. The next valid packet latches again.
    /// </summary>
    public void Relatch(RelayLeg leg)
    {
        GetLeg(leg).Unlock();
        RelayLog.Relatch(_logger, Name, leg);
    }

    public bool IsLatched(RelayLeg leg, RelayStreamKind kind = RelayStreamKind.Rtp) =>
        GetLeg(leg).GetLatch(kind).LockedSource is not null;

    /// <summary>The source the leg is locked onto, null while not latched.</summary>
    public IPEndPoint? GetLatchedSource(RelayLeg leg, RelayStreamKind kind = RelayStreamKind.Rtp) =>
        LatchingEndpoint.ToEndPoint(GetLeg(leg).GetLatch(kind).LockedSource);

    /// <summary>Where packets for <paramref name="leg"/> currently go: latched source, else the signalled address.</summary>
    public IPEndPoint? GetDestination(RelayLeg leg, RelayStreamKind kind = RelayStreamKind.Rtp) =>
        LatchingEndpoint.ToEndPoint(GetLeg(leg).GetLatch(kind).Destination);

    public RelayStatistics GetStatistics()
    {
        var time = _options.TimeProvider;
        var start = Volatile.Read(ref _startTimestamp);
        return new RelayStatistics(
            _rtpAToB.Counters.Snapshot(time, start),
            _rtpBToA.Counters.Snapshot(time, start),
            _rtcpAToB.Counters.Snapshot(time, start),
            _rtcpBToA.Counters.Snapshot(time, start));
    }

    /// <summary>
    /// How long no valid RTP came from the source leg of <paramref name="direction"/> (since start if none ever did).
    /// The caller compares it with its media timeout, remembering that a phone on hold may legitimately stay silent.
    /// </summary>
    public TimeSpan GetRtpIdleTime(RelayDirection direction) =>
        (direction == RelayDirection.AToB ? _rtpAToB : _rtpBToA).Counters.Snapshot(_options.TimeProvider, Volatile.Read(ref _startTimestamp)).IdleTime;

    /// <summary>Closes the sockets, frees both port pairs and waits for the forwarding loops to end.</summary>
    public async Task StopAsync()
    {
        CloseSockets();
        await _loops.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Closes the sockets and frees the ports at once; the loops finish on their own right after.</summary>
    public void Dispose() => CloseSockets();

    private void CloseSockets()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        _legA.Lease.Dispose();
        _legB.Lease.Dispose();
        var statistics = GetStatistics();
        RelayLog.Stopped(_logger, Name, statistics.RtpAToB.PacketsRelayed, statistics.RtpBToA.PacketsRelayed);
    }

    private RelayLegState GetLeg(RelayLeg leg) => leg == RelayLeg.A ? _legA : _legB;
}
