using Pbx.Media.Tests.Support;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Endpoint;

public sealed class MediaTickerTests
{
    private sealed class RecordingHandler : IMediaTickHandler
    {
        public List<MediaTick> Ticks { get; } = [];
        public List<long> Times { get; } = [];
        public TimeProvider? Clock { get; init; }

        public void OnTick(in MediaTick tick)
        {
            Ticks.Add(tick);
            if (Clock is not null) Times.Add(Clock.GetTimestamp());
        }
    }

    [Fact]
    public void Thousand_ticks_stay_on_absolute_deadlines_without_drift()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        var handler = new RecordingHandler { Clock = clock };
        ticker.Add(handler);
        var start = clock.GetTimestamp();
        ticker.Start();

        // 20 s in uneven steps (7, 13, 29 ms...): a "sleep 20 ms after each tick" clock would slip here.
        var random = new Random(5);
        var elapsed = TimeSpan.Zero;
        while (elapsed < TimeSpan.FromSeconds(20))
        {
            var step = TimeSpan.FromMilliseconds(random.Next(1, 30));
            clock.Advance(step);
            elapsed += step;
        }

        var expectedTicks = (long)(elapsed / MediaTicker.Period);
        Assert.Equal(expectedTicks, ticker.TicksRun);
        Assert.Equal(Enumerable.Range(0, (int)expectedTicks).Select(i => (long)i), handler.Ticks.Select(tick => tick.Number));
        // Every tick ran exactly on its deadline: start + (n + 1) × 20 ms, the last one included.
        for (var n = 0; n < handler.Times.Count; n++)
        {
            Assert.Equal(start + ((n + 1) * MediaTicker.Period.Ticks), handler.Times[n]);
        }
        Assert.Equal(0, ticker.LateTicks);
        Assert.Equal(0, ticker.SkippedTicks);
    }

    [Fact]
    public void A_late_timer_runs_the_overdue_ticks_at_once_and_counts_them_late()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        var handler = new RecordingHandler();
        ticker.Add(handler);
        ticker.Start();
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Single(handler.Ticks);

        // Simulate a timer that fires 50 ms late (at 90 ms instead of 40): ticks 1-3 are due then, tick 4 is not.
        clock.AdvanceWithoutTimers(TimeSpan.FromMilliseconds(70));
        clock.Advance(TimeSpan.Zero);

        Assert.Equal([0L, 1, 2, 3], handler.Ticks.Select(tick => tick.Number));
        Assert.True(ticker.LateTicks >= 2);
        Assert.Equal(TimeSpan.FromMilliseconds(50), handler.Ticks[1].Lateness);
    }

    [Fact]
    public void Late_ticks_and_stalls_are_logged_as_warnings()
    {
        var clock = new VirtualTimeProvider();
        var logger = new CapturingLogger();
        using var ticker = new MediaTicker(clock, logger);
        ticker.Add(new CountingHandler());
        ticker.Start();
        clock.AdvanceWithoutTimers(TimeSpan.FromMilliseconds(30));
        clock.Advance(TimeSpan.Zero);
        clock.AdvanceWithoutTimers(TimeSpan.FromMilliseconds(500));
        clock.Advance(TimeSpan.Zero);

        var warnings = logger.Entries.Where(entry => entry.Level == Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        Assert.Contains(warnings, entry => entry.Message.Contains("ran 10.0 ms late", StringComparison.Ordinal));
        Assert.Contains(warnings, entry => entry.Message.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void A_long_stall_skips_ticks_instead_of_bursting_and_keeps_numbering_aligned()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        var handler = new RecordingHandler();
        ticker.Add(handler);
        ticker.Start();
        clock.AdvanceWithoutTimers(TimeSpan.FromMilliseconds(1000));
        clock.Advance(TimeSpan.Zero);

        Assert.Equal(49, ticker.SkippedTicks);
        Assert.Equal([49L], handler.Ticks.Select(tick => tick.Number));
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal([49L, 50], handler.Ticks.Select(tick => tick.Number));
    }

    [Fact]
    public void A_throwing_handler_does_not_stop_the_others_and_removal_takes_effect()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        var good = new RecordingHandler();
        ticker.Add(new ThrowingHandler());
        ticker.Add(good);
        ticker.Start();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(5, good.Ticks.Count);
        ticker.Remove(good);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(5, good.Ticks.Count);
        Assert.Equal(1, ticker.HandlerCount);
    }

    [Fact]
    public async Task Dispose_ends_a_ticker_whose_every_tick_overruns_its_period()
    {
        var ticker = new MediaTicker();
        var slow = new SlowHandler();
        ticker.Add(slow);
        ticker.Start();
        Assert.True(SpinWait.SpinUntil(() => slow.Count >= 5, TimeSpan.FromSeconds(5)), "the ticker did not start ticking");

        var disposing = Task.Run(ticker.Dispose);
        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(3))));
    }

    private sealed class SlowHandler : IMediaTickHandler
    {
        public int Count;

        // Longer than the period: the ticker is always behind and never waits between ticks.
        public void OnTick(in MediaTick tick)
        {
            Interlocked.Increment(ref Count);
            Thread.Sleep(25);
        }
    }

    [Fact]
    public void Ticking_does_not_allocate()
    {
        var clock = new VirtualTimeProvider();
        using var ticker = new MediaTicker(clock);
        ticker.Add(new CountingHandler());
        ticker.Start();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++) clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private sealed class ThrowingHandler : IMediaTickHandler
    {
        public void OnTick(in MediaTick tick) => throw new InvalidOperationException("boom");
    }

    private sealed class CountingHandler : IMediaTickHandler
    {
        public long Count { get; private set; }
        public void OnTick(in MediaTick tick) => Count++;
    }
}
