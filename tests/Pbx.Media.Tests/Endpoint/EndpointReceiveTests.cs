using Pbx.Media.Audio;
using Pbx.Media.Codecs;
using Pbx.Media.Endpoint;
using Pbx.Media.Negotiation;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Support;

namespace Pbx.Media.Tests.Endpoint;

public sealed class EndpointReceiveTests : IDisposable
{
    /// <summary>
    /// The test sender paces with Task.Delay on a shared, loaded machine, so its packets can be 50-100 ms late; a
    /// deeper minimum jitter buffer absorbs that, as it would absorb a bad network.
    /// </summary>
    private static readonly MediaEndpointOptions Tolerant = new() { MinJitterPackets = 6, MaxJitterPackets = 12 };

    private readonly string _directory = Directory.CreateTempSubdirectory("pbx-endpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Recording_captures_what_the_phone_sends()
    {
        await using var harness = new EndpointHarness(options: Tolerant);
        var path = Path.Combine(_directory, "recording.wav");
        harness.Endpoint.StartRecording(path);
        harness.Start();
        var audio = Signals.Sine(600, 9000, 8000, 8000); // 1 s
        var packets = Frames(audio, 160, frame => { var payload = new byte[160]; MuLaw.Encode(frame, payload); return payload; }, payloadType: 0);

        await harness.SendPacedAsync(packets);
        // Let the jitter buffer play out before stopping; if the loaded test sender stalled and then caught up in a
        // burst, that takes one tick per queued packet.
        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.Endpoint.GetStatistics().JitterBufferedPackets == 0));
        await Task.Delay(100);
        var recordedSamples = harness.Endpoint.StopRecording();

        var result = WavReader.ReadFile(path);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(recordedSamples, result.Audio!.Samples.Length);
        Assert.Equal(8000, result.Audio.SampleRate);
        // The recording holds the whole second of the sine, decoded, apart from the jitter-buffer delay at the start.
        var expected = new short[8000];
        MuLaw.Decode(packets.SelectMany(packet => packet.AsSpan(12).ToArray()).ToArray(), expected);
        var recorded = result.Audio.Samples;
        // Split into 20 ms frames and drop the all-zero ones (buffering before playout, or an underrun if the test
        // sender stalled); what remains must be the phone's frames, bit-exact after µ-law decoding, in order.
        var frames = recorded.Chunk(160).Where(frame => frame.Any(sample => sample != 0)).ToList();
        var stats = harness.Endpoint.GetStatistics();
        // Exact on a healthy machine; frames may be missing only where the ticker itself reports starvation
        // (ticks it had to skip, packets it had not yet played out).
        var unexplained = 50 - frames.Count - stats.TrimmedForLatency - harness.Ticker.SkippedTicks - stats.JitterBufferedPackets;
        Assert.True(frames.Count + stats.TrimmedForLatency <= 50 && unexplained <= 0,
            $"{frames.Count} frames recorded, {stats}, ticks run {harness.Ticker.TicksRun}, late {harness.Ticker.LateTicks}, skipped {harness.Ticker.SkippedTicks}");
        var position = 0;
        foreach (var frame in frames)
        {
            while (position < 50 && !expected.AsSpan(position * 160, 160).SequenceEqual(frame)) position++;
            Assert.True(position < 50, "every recorded frame is one the phone sent, in sending order");
            position++;
        }
        Assert.Equal(50, stats.PacketsReceived);
        Assert.Equal(0, stats.LostPackets);
    }

    [Fact]
    public async Task Rfc4733_events_are_reported_once_per_digit()
    {
        await using var harness = new EndpointHarness(options: Tolerant);
        harness.Start();
        var packets = new List<byte[]>();
        ushort sequence = 100;
        foreach (var (digit, timestamp) in new[] { ('7', 8000u), ('*', 16000u) })
        {
            TelephoneEvent.TryGetEventCode(digit, out var code);
            for (var step = 1; step <= 4; step++) packets.Add(Event(sequence++, timestamp, code, step == 1, false, (ushort)(160 * step)));
            for (var repeat = 0; repeat < 3; repeat++) packets.Add(Event(sequence++, timestamp, code, false, true, 800));
        }

        await harness.SendPacedAsync(packets);

        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.Digits.Count >= 2));
        await Task.Delay(100);
        Assert.Equal("7*", string.Concat(harness.Digits.Select(args => args.Digit)));
        Assert.All(harness.Digits, args => Assert.Equal(DtmfSource.Rfc4733, args.Source));
    }

    [Fact]
    public async Task In_band_digits_in_the_audio_are_detected()
    {
        await using var harness = new EndpointHarness(options: Tolerant);
        harness.Start();
        var audio = DtmfSignals.Sequence("19#", toneMs: 80, gapMs: 80);
        var packets = Frames(audio, 160, frame => { var payload = new byte[160]; MuLaw.Encode(frame, payload); return payload; }, payloadType: 0);

        await harness.SendPacedAsync(packets);

        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.Digits.Count >= 3));
        Assert.Equal("19#", string.Concat(harness.Digits.Select(args => args.Digit)));
        Assert.All(harness.Digits, args => Assert.Equal(DtmfSource.InBand, args.Source));
    }

    [Fact]
    public async Task G722_in_band_digits_are_detected_after_decimation()
    {
        await using var harness = new EndpointHarness(AudioCodec.G722, payloadType: 9, telephoneEvent: null, options: Tolerant);
        harness.Start();
        var narrow = DtmfSignals.Sequence("58", toneMs: 100, gapMs: 100);
        var wide = new short[narrow.Length * 2];
        new Upsampler8To16().Process(narrow, wide);
        var encoder = new G722Encoder();
        var packets = Frames(wide, 320, frame => { var payload = new byte[160]; encoder.Encode(frame, payload); return payload; }, payloadType: 9);

        await harness.SendPacedAsync(packets);

        var complete = await EndpointHarness.WaitUntilAsync(() => harness.Digits.Count >= 2);
        Assert.True(complete, $"digits '{string.Concat(harness.Digits.Select(args => args.Digit))}', {harness.Endpoint.GetStatistics()}");
        Assert.Equal("58", string.Concat(harness.Digits.Select(args => args.Digit)));
    }

    [Fact]
    public async Task In_band_detection_stops_once_the_phone_proves_it_sends_rfc_4733()
    {
        await using var harness = new EndpointHarness(options: Tolerant);
        harness.Start();
        var mu = (short[] frame) => { var payload = new byte[160]; MuLaw.Encode(frame, payload); return payload; };
        var before = Frames(DtmfSignals.Sequence("2", toneMs: 100, gapMs: 100), 160, mu, payloadType: 0);
        await harness.SendPacedAsync(before);
        Assert.True(await EndpointHarness.WaitUntilAsync(() => harness.Digits.Count >= 1));

        // An RFC 4733 '3', then the same tone in-band as such phones leave it in the audio: counted once only.
        var packets = new List<byte[]> { Event(2000, 50_000, 3, true, false, 160), Event(2001, 50_000, 3, false, true, 800) };
        await harness.SendPacedAsync(packets);
        var after = Frames(DtmfSignals.Sequence("3", toneMs: 100, gapMs: 100), 160, mu, payloadType: 0)
            .Select((packet, i) => { RtpHeaderWriter.SetSequenceNumber(packet, (ushort)(1100 + i)); return packet; }).ToList();
        await harness.SendPacedAsync(after);
        await Task.Delay(300);

        Assert.Equal("23", string.Concat(harness.Digits.Select(args => args.Digit)));
        Assert.Equal([DtmfSource.InBand, DtmfSource.Rfc4733], harness.Digits.Select(args => args.Source));
    }

    private static byte[] Event(ushort sequence, uint timestamp, byte code, bool marker, bool end, ushort duration)
    {
        var payload = new byte[4];
        new TelephoneEvent(code, end, 10, duration).TryWrite(payload);
        return EndpointHarness.Packet(101, sequence, timestamp, payload, marker);
    }

    private static List<byte[]> Frames(short[] audio, int samplesPerFrame, Func<short[], byte[]> encode, byte payloadType)
    {
        var packets = new List<byte[]>();
        for (var i = 0; (i + 1) * samplesPerFrame <= audio.Length; i++)
        {
            var payload = encode(audio.AsSpan(i * samplesPerFrame, samplesPerFrame).ToArray());
            packets.Add(EndpointHarness.Packet(payloadType, (ushort)(1000 + i), (uint)(i * 160), payload, marker: i == 0));
        }
        return packets;
    }
}
