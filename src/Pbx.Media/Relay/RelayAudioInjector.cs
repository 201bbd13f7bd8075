using Pbx.Media.Codecs;
using Pbx.Media.Endpoint;
using Pbx.Media.Negotiation;
using Pbx.Media.Timing;

namespace Pbx.Media.Relay;

/// <summary>
/// Plays server audio (music on hold, announcements) to the phone on one leg of a relayed call, from that leg's own
/// RTP port, with the stream's own SSRC, sequence and timestamps; the other leg's RTP towards it is suppressed while
/// it plays. Driven by the shared <see cref="MediaTicker"/>; all buffers are made once, a tick allocates nothing.
/// </summary>
public sealed class RelayAudioInjector : IMediaTickHandler, IDisposable
{
    private readonly RtpRelaySession _relay;
    private readonly RelayLeg _to;
    private readonly VoiceCodec _codec;
    private readonly byte _payloadType;
    private readonly IAudioSource _source;
    private readonly MediaTicker _ticker;
    private readonly RtpPacketizer _packetizer;
    private readonly short[] _frame;
    private readonly byte[] _payload;
    private readonly byte[] _packet;
    private int _disposed;

    private RelayAudioInjector(RtpRelaySession relay, RelayLeg to, VoiceCodec codec, byte payloadType, IAudioSource source, MediaTicker ticker)
    {
        _relay = relay;
        _to = to;
        _codec = codec;
        _payloadType = payloadType;
        _ticker = ticker;
        _frame = new short[codec.SamplesPerFrame];
        _source = ResamplingAudioSource.Adapt(source, codec.SampleRate, codec.SamplesPerFrame);
        _payload = new byte[codec.BytesPerFrame];
        _packet = new byte[12 + codec.BytesPerFrame];
        _packetizer = new RtpPacketizer(codec.TimestampUnitsPerFrame);
    }

    /// <summary>Starts playing; null when the codec cannot be encoded here (the leg then hears silence).</summary>
    public static RelayAudioInjector? Start(RtpRelaySession relay, RelayLeg to, AudioCodec codec, byte payloadType, IAudioSource source, MediaTicker ticker)
    {
        if (!VoiceCodec.IsSupported(codec)) return null;
        var injector = new RelayAudioInjector(relay, to, VoiceCodec.Create(codec), payloadType, source, ticker);
        relay.SetSuppressed(Towards(to), true);
        ticker.Add(injector);
        return injector;
    }

    public void OnTick(in MediaTick tick)
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        _source.Read(_frame);
        var encoded = _codec.Encode(_frame, _payload);
        var length = _packetizer.WriteAudio(_packet, _payloadType, tick.Number, _payload.AsSpan(0, encoded));
        _relay.TrySendToLeg(_to, _packet.AsSpan(0, length));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Remove(this);
        _relay.SetSuppressed(Towards(_to), false);
    }

    private static RelayDirection Towards(RelayLeg leg) => leg == RelayLeg.A ? RelayDirection.BToA : RelayDirection.AToB;
}
