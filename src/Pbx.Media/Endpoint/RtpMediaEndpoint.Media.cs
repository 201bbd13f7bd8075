using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Dtmf;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Timing;

namespace Pbx.Media.Endpoint;

/// <summary>The per-tick and per-packet work of the endpoint.</summary>
public sealed partial class RtpMediaEndpoint
{
    private const int RtpHeaderSize = RtpHeader.FixedHeaderSize;
    private readonly byte[] _sendBuffer;
    private readonly byte[] _encoded;
    private readonly short[] _sendFrame;
    private readonly short[] _receiveFrame;
    private long _packetsReceived;
    private long _droppedInvalid;
    private long _droppedUnexpectedSource;
    private long _droppedOtherPayload;
    private long _sendErrors;

    void IMediaTickHandler.OnTick(in MediaTick tick)
    {
        if (IsStopping || Volatile.Read(ref _mixerAttached) != 0) return;
        ReceiveFrame(_receiveFrame);
        var source = Volatile.Read(ref _source);
        if (!source.Read(_sendFrame) && ReferenceEquals(Interlocked.CompareExchange(ref _source, new SilenceAudioSource(_codec.SampleRate), source), source))
        {
            var handler = PlaybackFinished;
            if (handler is not null) ThreadPool.UnsafeQueueUserWorkItem(_ => handler(this, EventArgs.Empty), null);
        }
        SendFrame(tick.Number, _sendFrame);
    }

    bool Mixing.IConferenceAudioPort.ReadFrame(in MediaTick tick, Span<short> frame) => !IsStopping && ReceiveFrame(frame);

    void Mixing.IConferenceAudioPort.WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame)
    {
        if (!IsStopping) SendFrame(tick.Number, frame);
    }

    void Mixing.IConferenceAudioPort.OnMixerAttached(bool attached) => Volatile.Write(ref _mixerAttached, attached ? 1 : 0);

    /// <summary>Plays out one frame of received audio into the recorder and the DTMF detector.</summary>
    private bool ReceiveFrame(Span<short> frame)
    {
        Span<char> digits = stackalloc char[2];
        var count = _playout.ReadFrame(frame, digits, out var hadAudio);
        lock (_recorderGate) _recorder?.Append(frame);
        var inBandWanted = _options.InBandDtmf == InBandDtmfMode.Always
                           || (_options.InBandDtmf == InBandDtmfMode.Auto && Volatile.Read(ref _rfc4733Seen) == 0);
        if (inBandWanted)
        {
            for (var i = 0; i < count; i++) Raise(digits[i], DtmfSource.InBand);
        }
        return hadAudio;
    }

    private void SendFrame(long tickNumber, ReadOnlySpan<short> frame)
    {
        var destination = _latch.Destination;
        var tickTimestamp = _packetizer.TimestampOf(tickNumber);
        var eventType = Format.TelephoneEventPayloadType;
        if (eventType is not null
            && _dtmfSender.Next(tickTimestamp, out var telephoneEvent, out var eventTimestamp, out var marker, out var repeat) == DtmfSendStep.Event)
        {
            _packetizer.MarkTalkspurt();
            for (var i = 0; i < repeat; i++)
            {
                var eventLength = _packetizer.WriteEvent(_sendBuffer, eventType.Value, eventTimestamp, marker && i == 0, telephoneEvent);
                Send(_sendBuffer.AsSpan(0, eventLength), destination);
            }
            return;
        }
        var payloadLength = _codec.Encode(frame, _encoded);
        var length = _packetizer.WriteAudio(_sendBuffer, Format.PayloadType, tickNumber, _encoded.AsSpan(0, payloadLength));
        Send(_sendBuffer.AsSpan(0, length), destination);
    }

    private void Send(ReadOnlySpan<byte> packet, SocketAddress? destination)
    {
        // Without a destination the packet is built anyway, so sequence numbers still count the frames.
        if (destination is null) return;
        try
        {
            _lease.RtpSocket.SendTo(packet, SocketFlags.None, destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var socket = _lease.RtpSocket;
        var maxSize = _options.MaxDatagramSize;
        var buffer = ArrayPool<byte>.Shared.Rent(maxSize);
        var source = new SocketAddress(socket.AddressFamily);
        var consecutiveErrors = 0;
        try
        {
            while (!IsStopping)
            {
                int received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer.AsMemory(0, maxSize), SocketFlags.None, source).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException exception)
                {
                    if (IsStopping || exception.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted) return;
                    // ICMP port unreachable from an earlier send surfaces here as ConnectionReset on some systems.
                    if (++consecutiveErrors >= _options.MaxConsecutiveReceiveErrors)
                    {
                        EndpointLog.GaveUp(_logger, Name, consecutiveErrors);
                        return;
                    }
                    continue;
                }
                consecutiveErrors = 0;
                OnDatagram(buffer.AsSpan(0, received), received >= maxSize, source);
            }
        }
        catch (Exception exception)
        {
            EndpointLog.ReceiveLoopFailed(_logger, exception, Name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> packet, bool maybeTruncated, SocketAddress source)
    {
        if (maybeTruncated || RtpPacketClassifier.Classify(packet) != RtpPacketKind.Rtp || !RtpHeader.TryRead(packet, out var header))
        {
            Interlocked.Increment(ref _droppedInvalid);
            return;
        }
        switch (_latch.Check(source))
        {
            case LatchDecision.UnexpectedSource:
                Interlocked.Increment(ref _droppedUnexpectedSource);
                return;
            case LatchDecision.Latched:
                EndpointLog.Latched(_logger, Name, LatchingEndpoint.ToEndPoint(_latch.LockedSource));
                break;
        }
        Interlocked.Increment(ref _packetsReceived);
        var payload = header.GetPayload(packet);
        if (header.PayloadType == Format.PayloadType)
        {
            var arrival = _ticker.TimeProvider.GetTimestamp();
            lock (_jitterGate)
            {
                if (header.Ssrc != _remoteSsrc)
                {
                    // A new sender (re-INVITE, transfer) restarts sequence numbering: start the buffer afresh.
                    _remoteSsrc = header.Ssrc;
                    _jitter.Reset();
                }
                _jitter.Insert(header.SequenceNumber, header.Timestamp, arrival, payload);
            }
            return;
        }
        if (header.PayloadType == Format.TelephoneEventPayloadType)
        {
            Volatile.Write(ref _rfc4733Seen, 1);
            if (_eventReceiver.TryAccept(header, payload, out var digit)) Raise(digit, DtmfSource.Rfc4733);
            return;
        }
        Interlocked.Increment(ref _droppedOtherPayload);
    }

    private uint _remoteSsrc;
}
