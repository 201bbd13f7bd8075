using Pbx.Media.Endpoint;

namespace Pbx.Media.Tests.Endpoint;

public sealed class JitterBufferTests
{
    private const long Frequency = TimeSpan.TicksPerSecond;
    private static readonly long Tick = TimeSpan.FromMilliseconds(20).Ticks;

    [Fact]
    public void Reordered_packets_play_in_sequence_order()
    {
        var buffer = new JitterBuffer(160, 3, 10, 8000, Frequency);
        foreach (var sequence in new ushort[] { 10, 12, 11, 13 }) Insert(buffer, sequence, sequence * Tick);

        Assert.Equal(new[] { 10, 11, 12, 13 }, TakeAll(buffer));
    }

    [Fact]
    public void Duplicates_and_late_packets_are_dropped()
    {
        var buffer = new JitterBuffer(160, 1, 10, 8000, Frequency);
        Assert.Equal(JitterInsertResult.Accepted, Insert(buffer, 5, 0));
        Assert.Equal(JitterInsertResult.Duplicate, Insert(buffer, 5, 0));
        Assert.Equal(JitterInsertResult.Accepted, Insert(buffer, 6, Tick));
        Assert.Equal(new[] { 5, 6 }, TakeAll(buffer));
        Assert.Equal(JitterInsertResult.Late, Insert(buffer, 5, 2 * Tick));
        Assert.Equal(1, buffer.Duplicates);
        Assert.Equal(1, buffer.LatePackets);
    }

    [Fact]
    public void A_gap_is_reported_as_lost_for_concealment()
    {
        var buffer = new JitterBuffer(160, 1, 10, 8000, Frequency);
        Insert(buffer, 1, 0);
        Insert(buffer, 3, 2 * Tick);
        var destination = new byte[160];

        Assert.Equal(JitterTakeResult.Packet, buffer.Take(destination, out _));
        Assert.Equal(JitterTakeResult.Lost, buffer.Take(destination, out _));
        Assert.Equal(JitterTakeResult.Packet, buffer.Take(destination, out _));
        Assert.Equal(3, destination[0]);
        Assert.Equal(JitterTakeResult.Empty, buffer.Take(destination, out _));
        Assert.Equal(1, buffer.Lost);
    }

    [Fact]
    public void Playout_waits_for_the_target_depth_and_the_target_grows_with_jitter()
    {
        var steady = new JitterBuffer(160, 1, 10, 8000, Frequency);
        var jittery = new JitterBuffer(160, 1, 10, 8000, Frequency);
        var random = new Random(3);
        for (ushort sequence = 0; sequence < 200; sequence++)
        {
            steady.Insert(sequence, sequence * 160u, sequence * Tick, [1]);
            // Arrivals scattered by up to ±30 ms around the send time.
            jittery.Insert(sequence, sequence * 160u, (sequence * Tick) + TimeSpan.FromMilliseconds(random.Next(-30, 31)).Ticks, [1]);
            var destination = new byte[160];
            steady.Take(destination, out _);
            jittery.Take(destination, out _);
        }
        Assert.Equal(1, steady.TargetDepth);
        Assert.InRange(jittery.TargetDepth, 3, 10);
    }

    [Fact]
    public void A_lasting_excess_after_a_burst_is_trimmed_slowly_but_a_short_burst_is_played_whole()
    {
        var destination = new byte[160];
        var shortBurst = new JitterBuffer(160, 1, 10, 8000, Frequency);
        for (ushort sequence = 0; sequence < 10; sequence++) Insert(shortBurst, sequence, 0);
        var played = 0;
        while (shortBurst.Take(destination, out _) == JitterTakeResult.Packet) played++;
        Assert.Equal(10, played);
        Assert.Equal(0, shortBurst.TrimmedForLatency);

        // 20 packets at once, then a steady one per take: the queue would stay 20 deep for ever without trimming.
        var buffer = new JitterBuffer(160, 1, 10, 8000, Frequency);
        ushort next = 0;
        for (; next < 20; next++) Insert(buffer, next, 0);
        played = 0;
        for (var take = 0; take < 500; take++)
        {
            Insert(buffer, next++, 0);
            if (buffer.Take(destination, out _) == JitterTakeResult.Packet) played++;
        }
        Assert.InRange(buffer.TrimmedForLatency, 10, 20);
        var target = buffer.TargetDepth;
        var remaining = 0;
        while (buffer.Take(destination, out _) == JitterTakeResult.Packet) remaining++;
        Assert.InRange(remaining, 1, target + 3);
        Assert.Equal(next, played + remaining + buffer.TrimmedForLatency);
    }

    [Fact]
    public void A_far_jump_in_sequence_restarts_the_buffer_and_oversized_payloads_are_refused()
    {
        var buffer = new JitterBuffer(160, 1, 10, 8000, Frequency);
        Insert(buffer, 100, 0);
        Assert.Equal(JitterInsertResult.Restarted, Insert(buffer, 5000, Tick));
        Assert.Equal(new[] { 5000 % 256 }, TakeAll(buffer));
        Assert.Equal(JitterInsertResult.TooLarge, buffer.Insert(5001, 0, 0, new byte[161]));
    }

    [Fact]
    public void Sequence_wrap_around_is_handled()
    {
        var buffer = new JitterBuffer(160, 1, 10, 8000, Frequency);
        foreach (var sequence in new ushort[] { 65534, 65535, 0, 1 }) Insert(buffer, sequence, 0);
        Assert.Equal(new[] { 65534 % 256, 65535 % 256, 0, 1 }, TakeAll(buffer));
    }

    private static JitterInsertResult Insert(JitterBuffer buffer, ushort sequence, long arrival) =>
        buffer.Insert(sequence, sequence * 160u, arrival, [(byte)sequence]);

    private static int[] TakeAll(JitterBuffer buffer)
    {
        var result = new List<int>();
        var destination = new byte[160];
        for (var i = 0; i < 64; i++)
        {
            var outcome = buffer.Take(destination, out var length);
            if (outcome == JitterTakeResult.Empty) break;
            if (outcome == JitterTakeResult.Packet && length == 1) result.Add(destination[0]);
        }
        return [.. result];
    }
}
