using System.Net;
using Pbx.Media.Audio;
using Pbx.Media.Codecs;
using Pbx.Media.Dtmf;
using Pbx.Media.Negotiation;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Relay;
using Pbx.Media.Tests.Support;
using Pbx.Media.Timing;
using Pbx.Media.Tones;

namespace Pbx.Media.Tests.Endpoint;

// Holds an allocation test: run alone, since tests running beside it share pools and caches with it.
[Collection(nameof(Pbx.Media.Tests.Relay.AllocationSensitive))]
public sealed class EndpointSendTests
{
    [Fact]
    public async Task Playing_a_wav_sends_it_frame_by_frame_with_continuous_sequence_and_timestamps()
    {
        await using var harness = new EndpointHarness();
        // 0.5 s of a 440 Hz sine: 25 frames.
        var wav = new WavAudio(8000, WavEncoding.Pcm16, Signals.Sine(440, 8000, 8000, 4000));
        harness.Endpoint.PlayWav(wav);
        harness.Start();

        var packets = await harness.ReceiveAsync(40);

        Assert.Equal(40, packets.Count);
        Assert.True(packets[0].Header.Marker, "first packet of the talkspurt carries the marker");
        Assert.All(packets.Skip(1), packet => Assert.False(packet.Header.Marker));
        for (var i = 1; i < packets.Count; i++)
        {
            Assert.Equal(RtpSequence.Next(packets[i - 1].Header.SequenceNumber), packets[i].Header.SequenceNumber);
            AssertTimestampStep(harness, packets[i - 1].Header, packets[i].Header);
            Assert.Equal(harness.Endpoint.Ssrc, packets[i].Header.Ssrc);
            Assert.Equal(0, packets[i].Header.PayloadType);
            Assert.Equal(160, packets[i].Header.PayloadLength);
        }
        // The WAV is sent bit-exactly as µ-law, then silence.
        var expected = new byte[4000];
        MuLaw.Encode(wav.Samples, expected);
        var sent = packets.Take(25).SelectMany(packet => packet.Header.GetPayload(packet.Packet).ToArray()).ToArray();
        Assert.Equal(expected, sent);
        Assert.All(packets.Skip(25), packet => Assert.All(packet.Header.GetPayload(packet.Packet).ToArray(), code => Assert.Equal(MuLaw.Encode(0), code)));
        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.PlaybackFinishedCount == 1));
    }

    [Fact]
    public async Task Looped_wav_restarts_and_pacing_follows_real_time()
    {
        await using var harness = new EndpointHarness(AudioCodec.Pcma, payloadType: 8);
        var wav = new WavAudio(8000, WavEncoding.Pcm16, Signals.Sine(1000, 6000, 8000, 480)); // 60 ms
        harness.Endpoint.PlayWav(wav, loop: true);
        harness.Start();
        var started = DateTime.UtcNow;

        var packets = await harness.ReceiveAsync(50);
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(50, packets.Count);
        // RTP time follows the wall clock: 50 frames span 49 × 20 ms of timestamps (more only if the loaded machine
        // stalled the ticker and ticks were skipped, which then also took that much wall time).
        var mediaMilliseconds = (packets[^1].Header.Timestamp - packets[0].Header.Timestamp) / 8.0;
        Assert.True(mediaMilliseconds >= 980 - 20, $"{mediaMilliseconds} ms of media");
        // Never faster than real time (no bursts). The upper side is not asserted: on a loaded machine the test's own
        // receive loop can lag; the ticker's exact deadlines are proven on a virtual clock in MediaTickerTests.
        Assert.True(elapsed.TotalMilliseconds >= mediaMilliseconds - 40, $"{elapsed.TotalMilliseconds} ms wall for {mediaMilliseconds} ms of media");
        var expected = new byte[480];
        ALaw.Encode(wav.Samples, expected);
        var firstLoop = packets.Take(3).SelectMany(packet => packet.Header.GetPayload(packet.Packet).ToArray());
        var thirdLoop = packets.Skip(6).Take(3).SelectMany(packet => packet.Header.GetPayload(packet.Packet).ToArray());
        Assert.Equal(expected, firstLoop);
        Assert.Equal(expected, thirdLoop);
        Assert.Equal(0, harness.PlaybackFinishedCount);
    }

    /// <summary>+160 per 20 ms frame; a multiple of it after ticks the ticker had to skip on a stalled machine.</summary>
    private static void AssertTimestampStep(EndpointHarness harness, in RtpHeader previous, in RtpHeader current)
    {
        var step = unchecked(current.Timestamp - previous.Timestamp);
        if (harness.Ticker.SkippedTicks == 0) Assert.Equal(160u, step);
        else Assert.True(step % 160 == 0 && step > 0, $"step {step}");
    }

    [Fact]
    public async Task G722_endpoint_uses_the_8_kHz_rtp_clock_and_carries_a_resampled_tone()
    {
        await using var harness = new EndpointHarness(AudioCodec.G722, payloadType: 9);
        harness.Endpoint.PlayTone(TonePlan.UnitedStates[ToneKind.Dial]);
        harness.Start();

        var packets = await harness.ReceiveAsync(25);

        Assert.Equal(25, packets.Count);
        for (var i = 1; i < packets.Count; i++) AssertTimestampStep(harness, packets[i - 1].Header, packets[i].Header);
        var decoder = new G722Decoder();
        var audio = new short[320 * packets.Count];
        for (var i = 0; i < packets.Count; i++) decoder.Decode(packets[i].Header.GetPayload(packets[i].Packet), audio.AsSpan(320 * i, 320));
        var tail = audio.AsSpan(1600);
        Assert.True(Signals.TonePower(tail, 350, 16000) > 1e6);
        Assert.True(Signals.TonePower(tail, 440, 16000) > 1e6);
        Assert.True(Signals.TonePower(tail, 1000, 16000) < 1e4);
    }

    [Fact]
    public async Task Sent_dtmf_follows_rfc_4733_and_round_trips_through_the_event_receiver()
    {
        await using var harness = new EndpointHarness();
        harness.Start();
        Assert.True(harness.Endpoint.SendDtmf("4#", TimeSpan.FromMilliseconds(100)));
        Assert.False(harness.Endpoint.SendDtmf("x"));

        var packets = await harness.ReceiveAsync(40);
        var events = packets.Where(packet => packet.Header.PayloadType == 101).ToList();

        // Per digit: 5 ticks of 20 ms, the last one sent three times.
        Assert.Equal(14, events.Count);
        var first = events.Take(7).ToList();
        Assert.True(first[0].Header.Marker);
        Assert.All(first.Skip(1), packet => Assert.False(packet.Header.Marker));
        Assert.All(first, packet => Assert.Equal(first[0].Header.Timestamp, packet.Header.Timestamp));
        var parsed = first.Select(packet => { TelephoneEvent.TryRead(packet.Header.GetPayload(packet.Packet), out var e); return e; }).ToList();
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], parsed.Select(e => (int)e.Duration));
        Assert.Equal([false, false, false, false, true, true, true], parsed.Select(e => e.IsEnd));
        Assert.All(parsed, e => Assert.Equal(4, e.EventCode));
        // Sequence numbers keep counting through events and audio alike.
        for (var i = 1; i < packets.Count; i++) Assert.Equal(RtpSequence.Next(packets[i - 1].Header.SequenceNumber), packets[i].Header.SequenceNumber);

        var receiver = new TelephoneEventReceiver();
        var digits = string.Concat(events.Select(packet => receiver.TryAccept(packet.Header, packet.Header.GetPayload(packet.Packet), out var digit) ? digit.ToString() : ""));
        Assert.Equal("4#", digits);
        // Audio after an event starts a new talkspurt.
        var afterFirstEvent = packets.SkipWhile(packet => packet.Header.PayloadType != 101).First(packet => packet.Header.PayloadType == 0);
        Assert.True(afterFirstEvent.Header.Marker);
    }

    [Fact]
    public async Task Sending_latches_to_where_the_far_end_really_sends_from()
    {
        await using var harness = new EndpointHarness(signalRemote: false);
        using var decoy = FakePhone.Bind();
        harness.Endpoint.SetRemote(decoy.LocalEndPoint as IPEndPoint);
        harness.Start();
        Assert.NotNull(await FakePhone.ReceiveAsync(decoy));

        await harness.Phone.SendToAsync(EndpointHarness.Packet(0, 1, 160, new byte[160]), System.Net.Sockets.SocketFlags.None, harness.EndpointRtp);

        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.Endpoint.IsLatched));
        Assert.Equal(harness.PhoneEndPoint, harness.Endpoint.Destination);
        Assert.Single(await harness.ReceiveAsync(1));
    }

    private const double MaxBytesPerTick = 64;

    [Fact]
    public async Task The_tick_path_allocates_less_than_a_packet_per_tick()
    {
        await using var harness = new EndpointHarness();
        harness.Endpoint.PlayTone(TonePlan.Germany[ToneKind.Busy]);
        harness.Endpoint.Start();
        IMediaTickHandler handler = harness.Endpoint;
        for (var tick = 0; tick < 20; tick++) handler.OnTick(new MediaTick(tick, TimeSpan.Zero));
        Assert.Equal(20, (await harness.ReceiveAsync(20, TimeSpan.FromSeconds(5))).Count);

        // Best of three rounds: on a loaded machine a send can now and then complete asynchronously (and allocate
        // its completion), which is the kernel's doing; a per-packet allocation of ours would show in every round.
        var fewest = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var tick = 20 + round * 100; tick < 120 + round * 100; tick++) handler.OnTick(new MediaTick(tick, TimeSpan.Zero));
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            // Drain the test phone between rounds so its socket buffer never overflows.
            Assert.Equal(100, (await harness.ReceiveAsync(100, TimeSpan.FromSeconds(5))).Count);
        }

        // Release builds of the socket layer allocate a few bytes per SendTo on their own; a buffer or packet array
        // of ours (160+ bytes) per tick would still break this budget.
        Assert.InRange(fewest / 100.0, 0, MaxBytesPerTick);
    }

    [Fact]
    public void Invalid_formats_are_refused_and_the_lease_stays_with_the_caller()
    {
        var basePort = Ports.FreePortRange.Find(2);
        var allocator = new Pbx.Media.Ports.RtpPortAllocator(new Pbx.Media.Ports.RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 1, BindAddress = IPAddress.Loopback });
        using var lease = allocator.Allocate().Lease!;
        using var ticker = new MediaTicker(new VirtualTimeProvider());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pbx.Media.Endpoint.RtpMediaEndpoint("bad", lease, ticker, new Pbx.Media.Endpoint.EndpointMediaFormat(AudioCodec.Pcmu, 200)));
        Assert.Throws<NotSupportedException>(() => new Pbx.Media.Endpoint.RtpMediaEndpoint("bad", lease, ticker, new Pbx.Media.Endpoint.EndpointMediaFormat(AudioCodec.TelephoneEvent, 101)));
        Assert.False(lease.IsDisposed);
        Assert.Null(Pbx.Media.Endpoint.EndpointMediaFormat.FromNegotiated([new NegotiatedFormat(101, AudioCodec.TelephoneEvent, "0-15")]));
        var format = Pbx.Media.Endpoint.EndpointMediaFormat.FromNegotiated([new NegotiatedFormat(9, AudioCodec.G722, null), new NegotiatedFormat(101, AudioCodec.TelephoneEvent, "0-15")]);
        Assert.Equal(new Pbx.Media.Endpoint.EndpointMediaFormat(AudioCodec.G722, 9, 101), format);
    }
}
