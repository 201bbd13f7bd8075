using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Media.Audio;
using Pbx.Media.Codecs;
using Pbx.Media.Dtmf;
using Pbx.Media.Mixing;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Timing;
using Pbx.Media.Tones;

namespace Pbx.Media.Endpoint;

/// <summary>
/// The PBX itself as the far end of one call leg (voicemail, IVR, conference, music on hold): sends 20 ms RTP
/// frames paced by the shared <see cref="MediaTicker"/> and receives into an adaptive jitter buffer feeding DTMF
/// detection and an optional WAV recorder. Symmetric RTP as in the relay: send to the SDP address until the first
/// valid packet arrives, then to wherever that packet came from. Owns the port lease once constructed.
/// Playback and recording calls may come from any thread; the per-packet path does not allocate.
/// If the constructor throws (unsupported codec, invalid payload type) the caller still owns the lease.
/// RTCP is not generated or interpreted (its socket is held so the port pair stays reserved).
/// </summary>
public sealed partial class RtpMediaEndpoint : IAsyncDisposable, IMediaTickHandler, IConferenceAudioPort
{
    private readonly RtpPortLease _lease;
    private readonly MediaTicker _ticker;
    private readonly MediaEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly LatchingEndpoint _latch;
    private readonly VoiceCodec _codec;
    private readonly JitterBuffer _jitter;
    private readonly Lock _jitterGate = new();
    private readonly ReceivePlayout _playout;
    private readonly RtpPacketizer _packetizer;
    private readonly DtmfEventSender _dtmfSender;
    private readonly TelephoneEventReceiver _eventReceiver = new();
    private readonly Lock _recorderGate = new();
    private WavWriter? _recorder;
    private IAudioSource _source;
    private Task _receiveLoop = Task.CompletedTask;
    private int _started;
    private int _stopping;
    private int _mixerAttached;
    private int _rfc4733Seen;

    public RtpMediaEndpoint(string name, RtpPortLease lease, MediaTicker ticker, EndpointMediaFormat format, MediaEndpointOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(ticker);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(format.PayloadType, (byte)127, nameof(format));
        if (format.TelephoneEventPayloadType > 127) throw new ArgumentOutOfRangeException(nameof(format), "telephone-event payload type must be 0-127.");
        Name = name;
        _lease = lease;
        _ticker = ticker;
        _options = options ?? new MediaEndpointOptions();
        _logger = logger ?? NullLogger.Instance;
        Format = format;
        _codec = VoiceCodec.Create(format.Codec);
        _latch = new LatchingEndpoint(lease.RtpSocket.AddressFamily);
        var maxPayload = _codec.MaxPayloadBytes;
        _jitter = new JitterBuffer(maxPayload, _options.MinJitterPackets, _options.MaxJitterPackets, format.Codec.ClockRate, ticker.TimeProvider.TimestampFrequency);
        var detectInBand = _options.InBandDtmf != InBandDtmfMode.Never;
        _playout = new ReceivePlayout(_jitter, _jitterGate, _codec, maxPayload, detectInBand, _options.DtmfDetector);
        _packetizer = new RtpPacketizer(_codec.TimestampUnitsPerFrame);
        _dtmfSender = new DtmfEventSender(_codec.TimestampUnitsPerFrame);
        _source = new SilenceAudioSource(_codec.SampleRate);
        _sendBuffer = new byte[RtpHeaderSize + _codec.BytesPerFrame];
        _encoded = new byte[_codec.BytesPerFrame];
        _sendFrame = new short[_codec.SamplesPerFrame];
        _receiveFrame = new short[_codec.SamplesPerFrame];
    }

    public string Name { get; }
    public EndpointMediaFormat Format { get; }
    public int LocalRtpPort => _lease.RtpPort;
    public int LocalRtcpPort => _lease.RtcpPort;
    /// <summary>Audio sample rate of the codec: 8000 for G.711, 16000 for G.722.</summary>
    public int SampleRate => _codec.SampleRate;
    public uint Ssrc => _packetizer.Ssrc;
    public bool IsLatched => _latch.LockedSource is not null;
    public IPEndPoint? Destination => LatchingEndpoint.ToEndPoint(_latch.Destination);

    /// <summary>Raised for every digit, from RFC 4733 events or in-band tones, on a thread-pool thread.</summary>
    public event EventHandler<DtmfReceivedEventArgs>? DtmfReceived;

    /// <summary>Raised on a thread-pool thread when a source started with Play ends by itself (not when replaced).</summary>
    public event EventHandler? PlaybackFinished;

    /// <summary>Where the far end said it receives (SDP); used until its first packet latches.</summary>
    public void SetRemote(IPEndPoint? rtp) => _latch.SetSignalled(rtp);

    /// <summary>After a re-INVITE that may move the far end: the next valid packet latches again.</summary>
    public void Relatch(IPEndPoint? rtp) => _latch.Unlock(rtp);

    /// <summary>Starts receiving and registers with the ticker, which from then on sends a frame every 20 ms.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(IsStopping, this);
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        using (ExecutionContext.SuppressFlow()) _receiveLoop = Task.Run(ReceiveLoopAsync);
        _ticker.Add(this);
        EndpointLog.Started(_logger, Name, LocalRtpPort, Format.Codec.EncodingName);
    }

    /// <summary>Plays a source from its next frame on, replacing the current one. 8/16 kHz sources are resampled.</summary>
    public void Play(IAudioSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Volatile.Write(ref _source, ResamplingAudioSource.Adapt(source, _codec.SampleRate, _codec.SamplesPerFrame));
    }

    public void PlayWav(WavAudio audio, bool loop = false) => Play(new WavAudioSource(audio, loop));

    /// <summary>Loads and plays a WAV file; false with the reader's error when it cannot be used.</summary>
    public bool TryPlayWavFile(string path, bool loop, out string? error)
    {
        var result = WavReader.ReadFile(path);
        error = result.Error;
        if (!result.IsSuccess) return false;
        PlayWav(result.Audio!, loop);
        return true;
    }

    public void PlayTone(ToneSpec tone) => Play(new ToneAudioSource(tone, _codec.SampleRate));

    public void PlaySilence() => Play(new SilenceAudioSource(_codec.SampleRate));

    /// <summary>Records what the far end sends, decoded, at the codec's rate (16-bit PCM), until stopped or disposed.</summary>
    public void StartRecording(string path)
    {
        var writer = WavWriter.Create(path, _codec.SampleRate);
        WavWriter? previous;
        lock (_recorderGate)
        {
            previous = _recorder;
            _recorder = writer;
        }
        previous?.Dispose();
    }

    /// <summary>Completes the WAV file; returns the samples it holds (0 when nothing was recording).</summary>
    public long StopRecording()
    {
        WavWriter? recorder;
        lock (_recorderGate)
        {
            recorder = _recorder;
            _recorder = null;
        }
        if (recorder is null) return 0;
        var samples = recorder.SamplesWritten;
        recorder.Dispose();
        return samples;
    }

    /// <summary>Queues digits to send as RFC 4733 events; false when telephone-event was not negotiated or a key is invalid.</summary>
    public bool SendDtmf(string digits, TimeSpan? digitDuration = null)
    {
        ArgumentNullException.ThrowIfNull(digits);
        return Format.TelephoneEventPayloadType is not null && _dtmfSender.Enqueue(digits, digitDuration ?? _options.DtmfSendDuration);
    }

    public MediaEndpointStatistics GetStatistics()
    {
        lock (_jitterGate)
        {
            return new MediaEndpointStatistics(
                _packetizer.PacketsSent, Interlocked.Read(ref _packetsReceived), _dtmfSender.EventsSent,
                Interlocked.Read(ref _droppedInvalid), Interlocked.Read(ref _droppedUnexpectedSource), Interlocked.Read(ref _droppedOtherPayload),
                _jitter.Duplicates, _jitter.LatePackets, _jitter.Lost, _jitter.TrimmedForLatency, _playout.ConcealedFrames, Interlocked.Read(ref _sendErrors), _jitter.TargetDepth, _jitter.Depth);
        }
    }

    /// <summary>Stops ticking, closes the sockets (freeing the ports), completes a recording and waits for the receive loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        _ticker.Remove(this);
        _lease.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        // The ticker may be inside OnTick right now; the recorder lock makes the last append finish first.
        StopRecording();
        EndpointLog.Stopped(_logger, Name, _packetizer.PacketsSent, Interlocked.Read(ref _packetsReceived));
    }

    private bool IsStopping => Volatile.Read(ref _stopping) != 0;

    private void Raise(char digit, DtmfSource source)
    {
        var handler = DtmfReceived;
        if (handler is null) return;
        var args = new DtmfReceivedEventArgs(digit, source);
        ThreadPool.UnsafeQueueUserWorkItem(_ => handler(this, args), null);
    }
}
