using Pbx.Media.Codecs;
using Pbx.Media.Dtmf;
using Pbx.Media.Endpoint;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Rtp;
using Pbx.Media.Timing;

namespace Pbx.Media.Relay;

/// <summary>
/// The PBX as the far end of one leg of a relayed call, on that leg's own ports: what the phone sends goes into a
/// jitter buffer instead of to the other leg, and what the phone hears is ours (a prompt, or a conference mix).
/// The phone keeps the dialog, ports and codec it already has, so a call joins a conference without a re-INVITE.
/// Standalone it ticks on the <see cref="MediaTicker"/> itself (prompts, in-band DTMF while a PIN is entered); in a
/// <see cref="ConferenceRoom"/> the mixer drives it. Per packet and per tick nothing is allocated.
/// </summary>
public sealed class RelayLegAudioPort : IConferenceAudioPort, IMediaTickHandler, IRelayPacketSink, IDisposable
{
    private readonly RtpRelaySession _relay;
    private readonly RelayLeg _leg;
    private readonly MediaTicker _ticker;
    private readonly VoiceCodec _codec;
    private readonly byte _sendPayloadType;
    private readonly byte _receivePayloadType;
    private readonly int _telephoneEventPayloadType;
    private readonly JitterBuffer _jitter;
    private readonly Lock _jitterGate = new();
    private readonly ReceivePlayout _playout;
    private readonly RtpPacketizer _packetizer;
    private readonly short[] _frame;
    private readonly short[] _promptFrame;
    private readonly byte[] _payload;
    private readonly byte[] _packet;
    private IAudioSource? _prompt;
    private uint _remoteSsrc;
    private int _mixerAttached;
    private int _rfc4733Seen;
    private int _disposed;

    private RelayLegAudioPort(RtpRelaySession relay, RelayLeg leg, MediaTicker ticker, VoiceCodec codec, AudioCodec format,
        byte sendPayloadType, byte receivePayloadType, int telephoneEventPayloadType)
    {
        _relay = relay;
        _leg = leg;
        _ticker = ticker;
        _codec = codec;
        _sendPayloadType = sendPayloadType;
        _receivePayloadType = receivePayloadType;
        _telephoneEventPayloadType = telephoneEventPayloadType;
        var options = new MediaEndpointOptions();
        _jitter = new JitterBuffer(codec.MaxPayloadBytes, options.MinJitterPackets, options.MaxJitterPackets, format.ClockRate,
            ticker.TimeProvider.TimestampFrequency);
        _playout = new ReceivePlayout(_jitter, _jitterGate, codec, codec.MaxPayloadBytes, detectInBandDtmf: true, options.DtmfDetector);
        _packetizer = new RtpPacketizer(codec.TimestampUnitsPerFrame);
        _frame = new short[codec.SamplesPerFrame];
        _promptFrame = new short[codec.SamplesPerFrame];
        _payload = new byte[codec.BytesPerFrame];
        _packet = new byte[RtpHeader.FixedHeaderSize + codec.BytesPerFrame];
    }

    /// <summary>
    /// Takes over <paramref name="leg"/>: the relay stops forwarding to and from it. Null when the codec cannot be
    /// decoded here. <paramref name="sendPayloadType"/> is the codec's number in the phone's SDP,
    /// <paramref name="receivePayloadType"/> and <paramref name="telephoneEventPayloadType"/> (-1: none) in ours.
    /// </summary>
    public static RelayLegAudioPort? Start(RtpRelaySession relay, RelayLeg leg, MediaTicker ticker, AudioCodec codec,
        byte sendPayloadType, byte receivePayloadType, int telephoneEventPayloadType)
    {
        if (!VoiceCodec.IsSupported(codec)) return null;
        var port = new RelayLegAudioPort(relay, leg, ticker, VoiceCodec.Create(codec), codec, sendPayloadType, receivePayloadType, telephoneEventPayloadType);
        relay.SetSuppressed(RelayDirection.AToB, true);
        relay.SetSuppressed(RelayDirection.BToA, true);
        relay.SetSink(leg, port);
        ticker.Add(port);
        return port;
    }

    public RelayLeg Leg => _leg;

    public int SampleRate => _codec.SampleRate;

    /// <summary>An in-band (audio) DTMF digit; RFC 4733 digits arrive through the relay's own DigitReceived. Raised on the tick thread.</summary>
    public event Action<char>? InBandDigit;

    /// <summary>A prompt started with <see cref="Play"/> came to its end (raised on the thread pool).</summary>
    public event Action? PlaybackFinished;

    /// <summary>Plays <paramref name="source"/> to the phone, over the conference mix if it is in one; null stops.</summary>
    public void Play(IAudioSource? source) =>
        Volatile.Write(ref _prompt, source is null ? null : ResamplingAudioSource.Adapt(source, _codec.SampleRate, _codec.SamplesPerFrame));

    public void OnTick(in MediaTick tick)
    {
        if (Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _mixerAttached) != 0) return;
        Receive(_frame);
        _frame.AsSpan().Clear();
        Send(tick, _frame);
    }

    public bool ReadFrame(in MediaTick tick, Span<short> frame) => Volatile.Read(ref _disposed) == 0 && Receive(frame);

    public void WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame)
    {
        if (Volatile.Read(ref _disposed) == 0) Send(tick, frame);
    }

    public void OnMixerAttached(bool attached) => Volatile.Write(ref _mixerAttached, attached ? 1 : 0);

    public void OnRtp(in RtpHeader header, ReadOnlySpan<byte> packet)
    {
        if (header.PayloadType == _receivePayloadType)
        {
            var arrival = _ticker.TimeProvider.GetTimestamp();
            lock (_jitterGate)
            {
                if (header.Ssrc != _remoteSsrc)
                {
                    // A new sender (the phone restarted its stream) restarts sequence numbering.
                    _remoteSsrc = header.Ssrc;
                    _jitter.Reset();
                }
                _jitter.Insert(header.SequenceNumber, header.Timestamp, arrival, header.GetPayload(packet));
            }
        }
        else if (header.PayloadType == _telephoneEventPayloadType)
        {
            // Phones that send both would otherwise count each key twice.
            Volatile.Write(ref _rfc4733Seen, 1);
        }
    }

    private bool Receive(Span<short> frame)
    {
        Span<char> digits = stackalloc char[2];
        var count = _playout.ReadFrame(frame, digits, out var hadAudio);
        if (count > 0 && Volatile.Read(ref _rfc4733Seen) == 0 && InBandDigit is { } handler)
            for (var i = 0; i < count; i++) handler(digits[i]);
        return hadAudio;
    }

    private void Send(in MediaTick tick, ReadOnlySpan<short> frame)
    {
        if (Volatile.Read(ref _prompt) is { } prompt)
        {
            if (prompt.Read(_promptFrame)) frame = _promptFrame;
            else if (ReferenceEquals(Interlocked.CompareExchange(ref _prompt, null, prompt), prompt) && PlaybackFinished is { } finished)
                ThreadPool.UnsafeQueueUserWorkItem(static f => f(), finished, preferLocal: false);
        }
        var encoded = _codec.Encode(frame, _payload);
        var length = _packetizer.WriteAudio(_packet, _sendPayloadType, tick.Number, _payload.AsSpan(0, encoded));
        _relay.TrySendToLeg(_leg, _packet.AsSpan(0, length));
    }

    /// <summary>Stops sending and listening; the relay stays suppressed for this leg (the call is ending or moving on).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Remove(this);
        _relay.SetSink(_leg, null);
    }
}
