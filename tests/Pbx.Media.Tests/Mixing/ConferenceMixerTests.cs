using Pbx.Media.Mixing;
using Pbx.Media.Tests.Support;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Mixing;

public sealed class ConferenceMixerTests
{
    private static readonly ConferenceMixerOptions Quiet = new() { PlayJoinLeaveTones = false };

    [Fact]
    public void Each_participant_hears_the_others_but_not_itself()
    {
        var (mixer, room) = CreateRoom();
        var a = Join(room, new SyntheticPort(8000, 500, 6000));
        var b = Join(room, new SyntheticPort(8000, 1100, 6000));
        var c = Join(room, new SyntheticPort(8000, 1700, 6000));

        RunTicks(mixer, 25);

        AssertHears(a.Tail(300), 8000, heard: [1100, 1700], notHeard: [500]);
        AssertHears(b.Tail(300), 8000, heard: [500, 1700], notHeard: [1100]);
        AssertHears(c.Tail(300), 8000, heard: [500, 1100], notHeard: [1700]);
        Assert.Equal(8000, room.MixRate);
    }

    [Fact]
    public void Wideband_participants_share_wideband_audio_and_narrowband_ones_get_it_filtered()
    {
        var (mixer, room) = CreateRoom();
        var wideA = Join(room, new SyntheticPort(16000, 6000, 6000)); // above the narrowband limit
        var wideB = Join(room, new SyntheticPort(16000, 800, 6000));
        var narrow = Join(room, new SyntheticPort(8000, 1300, 6000));

        RunTicks(mixer, 25);

        Assert.Equal(16000, room.MixRate);
        AssertHears(wideB.Tail(300), 16000, heard: [6000, 1300], notHeard: [800]);
        AssertHears(wideA.Tail(300), 16000, heard: [800, 1300], notHeard: [6000]);
        AssertHears(narrow.Tail(300), 8000, heard: [800], notHeard: [1300]);
        // 6 kHz cannot exist at 8 kHz; the FIR must not fold it to 2 kHz either.
        Assert.True(Signals.TonePower(narrow.Tail(300), 2000, 8000) < 1e3);
    }

    [Fact]
    public void Muted_participant_is_not_heard_but_still_hears_the_others()
    {
        var (mixer, room) = CreateRoom();
        var a = Join(room, new SyntheticPort(8000, 500, 6000), out var participantA);
        var b = Join(room, new SyntheticPort(8000, 1100, 6000));
        var c = Join(room, new SyntheticPort(8000, 1700, 6000));
        participantA.IsMuted = true;

        RunTicks(mixer, 25);

        AssertHears(b.Tail(300), 8000, heard: [1700], notHeard: [500, 1100]);
        AssertHears(c.Tail(300), 8000, heard: [1100], notHeard: [500, 1700]);
        AssertHears(a.Tail(300), 8000, heard: [1100, 1700], notHeard: [500]);

        participantA.IsMuted = false;
        RunTicks(mixer, 25);
        AssertHears(b.Tail(300), 8000, heard: [500, 1700], notHeard: [1100]);
    }

    [Fact]
    public void Many_loud_inputs_are_compressed_and_never_wrap_around()
    {
        var (mixer, room) = CreateRoom();
        var listener = Join(room, new SyntheticPort(8000, 0, 0));
        // 20 talkers at near full scale, all in phase: the sum peaks near 640 000, far beyond 16 bits.
        for (var i = 0; i < 20; i++) Join(room, new SyntheticPort(8000, 200, 32000));

        RunTicks(mixer, 10);

        var heard = listener.Heard.ToArray();
        for (var i = 0; i < heard.Length; i++)
        {
            // Wrap-around would flip the sign against the common input; soft clipping keeps it.
            var input = Math.Sin(2 * Math.PI * 200 * i / 8000);
            if (Math.Abs(input) > 0.05) Assert.Equal(Math.Sign(input), Math.Sign((int)heard[i]));
        }
        Assert.InRange(heard.Max(sample => (int)sample), short.MaxValue - 300, short.MaxValue);
        Assert.InRange(heard.Min(sample => (int)sample), -short.MaxValue, -short.MaxValue + 300);
    }

    [Fact]
    public void Soft_clipping_is_transparent_below_the_knee_and_monotonic_above()
    {
        Assert.Equal(1234, MixBuffers.SoftClip(1234));
        Assert.Equal(-24576, MixBuffers.SoftClip(-24576));
        var previous = (int)MixBuffers.SoftClip(24576);
        for (var value = 24577; value < 2_000_000; value += 997)
        {
            var clipped = (int)MixBuffers.SoftClip(value);
            Assert.True(clipped >= previous && clipped <= short.MaxValue);
            Assert.Equal(-clipped, MixBuffers.SoftClip(-value));
            previous = clipped;
        }
        Assert.Equal(short.MaxValue, MixBuffers.SoftClip(int.MaxValue));
        Assert.Equal(-short.MaxValue, MixBuffers.SoftClip(int.MinValue));
    }

    [Fact]
    public void Participant_limit_join_and_leave_are_enforced()
    {
        using var ticker = new MediaTicker(new VirtualTimeProvider());
        using var mixer = new ConferenceMixer(ticker, Quiet);
        var room = mixer.CreateRoom("small", maxParticipants: 2);
        var first = new SyntheticPort(8000, 500, 1000);
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(first, out var participant));
        Assert.True(first.Attached);
        Assert.Equal(ConferenceJoinResult.AlreadyInRoom, room.Join(first, out _));
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(new SyntheticPort(16000, 500, 1000), out _));
        Assert.Equal(ConferenceJoinResult.RoomFull, room.Join(new SyntheticPort(8000, 500, 1000), out _));
        Assert.Equal(ConferenceJoinResult.UnsupportedSampleRate, room.Join(new SyntheticPort(44100, 500, 1000), out _));

        Assert.True(room.Leave(participant!));
        Assert.False(first.Attached);
        Assert.False(room.Leave(participant!));
        Assert.Equal(1, room.ParticipantCount);

        Assert.True(mixer.CloseRoom(room));
        Assert.Equal(ConferenceJoinResult.RoomClosed, room.Join(first, out _));
        Assert.Empty(mixer.Rooms);
    }

    [Fact]
    public void Join_and_leave_tones_are_heard_by_the_others()
    {
        using var ticker = new MediaTicker(new VirtualTimeProvider());
        using var mixer = new ConferenceMixer(ticker);
        var room = mixer.CreateRoom("tones");
        var listener = new SyntheticPort(8000, 0, 0);
        room.Join(listener, out _);
        RunTicks(mixer, 20);
        var joiner = new SyntheticPort(8000, 0, 0);
        room.Join(joiner, out var joined);
        RunTicks(mixer, 10);
        var afterJoin = listener.Tail(200);
        Assert.True(Signals.TonePower(afterJoin, 1000, 8000) > 1e5, "join beep at 1 kHz");

        room.Leave(joined!);
        RunTicks(mixer, 10);
        Assert.True(Signals.TonePower(listener.Tail(200), 600, 8000) > 1e5, "leave beeps at 600 Hz");
        RunTicks(mixer, 20);
        Assert.All(listener.Tail(200), sample => Assert.Equal(0, sample));
    }

    [Fact]
    public void One_ticker_drives_all_rooms_for_a_thousand_ticks_without_drift()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        using var mixer = new ConferenceMixer(ticker, Quiet);
        var ports = new List<SyntheticPort>();
        for (var r = 0; r < 3; r++)
        {
            var room = mixer.CreateRoom($"room-{r}");
            for (var p = 0; p < 3; p++) ports.Add(Join(room, new SyntheticPort(p == 0 ? 16000 : 8000, 300 + (100 * p), 3000)));
        }
        ticker.Start();

        var random = new Random(9);
        var elapsed = TimeSpan.Zero;
        while (elapsed < TimeSpan.FromMilliseconds(20_000))
        {
            var step = TimeSpan.FromMilliseconds(Math.Min(random.Next(1, 40), 20_000 - elapsed.TotalMilliseconds));
            clock.Advance(step);
            elapsed += step;
        }

        Assert.Equal(1000, mixer.TicksMixed);
        Assert.Equal(0, ticker.SkippedTicks);
        Assert.All(ports, port => Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), port.WriteTicks));
        Assert.All(ports, port => Assert.Equal(1000 * port.SampleRate / 50, port.Heard.Count));
    }

    [Fact]
    public void A_tick_does_not_allocate()
    {
        var (mixer, room) = CreateRoom();
        for (var i = 0; i < 5; i++) room.Join(new NullPort(i == 0 ? 16000 : 8000), out _);
        RunTicks(mixer, 5);
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunTicks(mixer, 200);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private sealed class NullPort(int sampleRate) : IConferenceAudioPort
    {
        public int SampleRate { get; } = sampleRate;
        public bool ReadFrame(in MediaTick tick, Span<short> frame)
        {
            frame.Fill(1000);
            return true;
        }
        public void WriteFrame(in MediaTick tick, ReadOnlySpan<short> frame) { }
        public void OnMixerAttached(bool attached) { }
    }

    private static (ConferenceMixer Mixer, ConferenceRoom Room) CreateRoom()
    {
        var mixer = new ConferenceMixer(new MediaTicker(new VirtualTimeProvider()), Quiet);
        return (mixer, mixer.CreateRoom("test"));
    }

    private static SyntheticPort Join(ConferenceRoom room, SyntheticPort port) => Join(room, port, out _);

    private static SyntheticPort Join(ConferenceRoom room, SyntheticPort port, out ConferenceParticipant participant)
    {
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(port, out var joined));
        participant = joined!;
        return port;
    }

    private static void RunTicks(ConferenceMixer mixer, int count)
    {
        for (var i = 0; i < count; i++) mixer.OnTick(new MediaTick(i, TimeSpan.Zero));
    }

    private static void AssertHears(short[] audio, int sampleRate, double[] heard, double[] notHeard)
    {
        foreach (var frequency in heard)
        {
            var power = Signals.TonePower(audio, frequency, sampleRate);
            Assert.True(power > 1e6, $"{frequency} Hz should be heard (power {power:E2})");
        }
        foreach (var frequency in notHeard)
        {
            var power = Signals.TonePower(audio, frequency, sampleRate);
            Assert.True(power < 1e3, $"{frequency} Hz should not be heard (power {power:E2})");
        }
    }
}
