using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pbx.Media.Negotiation;
using Pbx.Media.Rtp;

namespace Pbx.Media.Relay;

/// <summary>
/// One forwarding path: receives on a socket of the source leg and sends, unchanged except for an optional
/// payload type rewrite, from the matching socket of the other leg. One pooled buffer and one reusable
/// <see cref="SocketAddress"/> per loop; the SocketAddress-based socket overloads keep the steady state allocation-free.
/// </summary>
internal sealed class RelayForwarder
{
    private readonly RtpRelaySession _session;
    private readonly RelayLegState _from;
    private readonly RelayLegState _to;
    private readonly RelayStreamKind _kind;
    private readonly RtpRelayOptions _options;
    private readonly ILogger _logger;
    private PayloadTypeMap _payloadTypeMap = PayloadTypeMap.Identity;
    private bool _suppressed;
    private int _telephoneEventPayloadType = -1;
    private IRelayPacketSink? _sink;
    private readonly Dtmf.TelephoneEventReceiver _events = new();

    public RelayForwarder(RtpRelaySession session, RelayLegState from, RelayLegState to, RelayStreamKind kind, RtpRelayOptions options, ILogger logger)
    {
        _session = session;
        _from = from;
        _to = to;
        _kind = kind;
        _options = options;
        _logger = logger;
    }

    public StreamCounters Counters { get; } = new();

    /// <summary>RFC 4733 packets with this payload type (as the sender numbers them) are reported as digits; -1 for none.</summary>
    public int TelephoneEventPayloadType
    {
        get => Volatile.Read(ref _telephoneEventPayloadType);
        set => Volatile.Write(ref _telephoneEventPayloadType, value);
    }

    /// <summary>Packets are accepted (latching, idle time) but not sent on, e.g. while the server plays music on hold instead.</summary>
    public bool Suppressed
    {
        get => Volatile.Read(ref _suppressed);
        set => Volatile.Write(ref _suppressed, value);
    }

    /// <summary>Server-side media listening to this leg (<see cref="RelayLegAudioPort"/>): gets every accepted RTP packet.</summary>
    public IRelayPacketSink? Sink
    {
        get => Volatile.Read(ref _sink);
        set => Volatile.Write(ref _sink, value);
    }

    public PayloadTypeMap PayloadTypeMap
    {
        get => Volatile.Read(ref _payloadTypeMap);
        set => Volatile.Write(ref _payloadTypeMap, value);
    }

    public async Task RunAsync()
    {
        var receiveSocket = _from.GetSocket(_kind);
        var sendSocket = _to.GetSocket(_kind);
        var maxSize = _options.MaxDatagramSize;
        var buffer = ArrayPool<byte>.Shared.Rent(maxSize);
        var source = new SocketAddress(receiveSocket.AddressFamily);
        var consecutiveErrors = 0;
        try
        {
            while (!_session.IsStopping)
            {
                int received;
                try
                {
                    received = await receiveSocket.ReceiveFromAsync(buffer.AsMemory(0, maxSize), SocketFlags.None, source).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException exception)
                {
                    if (_session.IsStopping || exception.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted) return;
                    Counters.OnReceiveError();
                    if (++consecutiveErrors == 1) RelayLog.ReceiveFailed(_logger, _session.Name, _from.Leg, _kind, exception.SocketErrorCode.ToString());
                    if (consecutiveErrors >= _options.MaxConsecutiveReceiveErrors)
                    {
                        RelayLog.GaveUp(_logger, _session.Name, _from.Leg, _kind, consecutiveErrors);
                        return;
                    }
                    continue;
                }
                consecutiveErrors = 0;

                var destination = Inspect(buffer, received, maxSize, source);
                if (destination is null) continue;
                try
                {
                    await sendSocket.SendToAsync(buffer.AsMemory(0, received), SocketFlags.None, destination).ConfigureAwait(false);
                    Counters.OnRelayed(received);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    if (_session.IsStopping) return;
                    Counters.OnSendError();
                }
            }
        }
        catch (Exception exception)
        {
            // Nothing may escape a forwarding loop; an unexpected failure ends this path only.
            RelayLog.LoopFailed(_logger, exception, _session.Name, _from.Leg, _kind);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Validates, latches and rewrites one datagram; returns where to send it, or null to drop it.</summary>
    private SocketAddress? Inspect(byte[] buffer, int length, int maxSize, SocketAddress source)
    {
        var packet = buffer.AsSpan(0, length);
        // A datagram that fills the buffer may have been cut short by the kernel.
        RtpHeader header = default;
        if (length >= maxSize || !IsValid(packet, ref header))
        {
            Counters.OnInvalid();
            return null;
        }

        var latch = _from.GetLatch(_kind);
        switch (latch.Check(source))
        {
            case LatchDecision.UnexpectedSource:
                Counters.OnUnexpectedSource();
                return null;
            case LatchDecision.Latched:
                OnLatched(latch);
                break;
        }
        Counters.OnAccepted(_options.TimeProvider.GetTimestamp());
        if (_kind == RelayStreamKind.Rtp && header.PayloadType == TelephoneEventPayloadType
            && _events.TryAccept(header, header.GetPayload(packet), out var digit))
            _session.OnDigit(_from.Leg, digit);
        if (_kind == RelayStreamKind.Rtp && Sink is { } sink) sink.OnRtp(header, packet);
        if (Suppressed) return null;

        var destination = _to.GetLatch(_kind).Destination;
        if (destination is null)
        {
            Counters.OnNoDestination();
            return null;
        }
        if (_kind == RelayStreamKind.Rtp)
        {
            var map = PayloadTypeMap;
            if (!map.IsIdentity) RtpHeaderWriter.SetPayloadType(packet, map.Map((byte)(packet[1] & 0x7F)));
        }
        return destination;
    }

    private bool IsValid(ReadOnlySpan<byte> packet, ref RtpHeader header)
    {
        if (_kind == RelayStreamKind.Rtcp) return RtcpPacket.IsValidCompound(packet, allowReducedSize: true);
        // Without rtcp-mux an RTCP packet on the RTP port is a misrouted or hostile datagram.
        return RtpPacketClassifier.Classify(packet) == RtpPacketKind.Rtp && RtpHeader.TryRead(packet, out header);
    }

    private void OnLatched(LatchingEndpoint latch)
    {
        var endpoint = LatchingEndpoint.ToEndPoint(latch.LockedSource);
        RelayLog.Latched(_logger, _session.Name, _from.Leg, _kind, endpoint);
        // RFC 3550 §11: without a=rtcp the peer's RTCP port is RTP + 1.
        if (_kind == RelayStreamKind.Rtp && endpoint is not null && endpoint.Port < IPEndPoint.MaxPort)
            _from.RtcpLatch.SetDestinationIfUnknown(new IPEndPoint(endpoint.Address, endpoint.Port + 1));
    }
}
