using System.Diagnostics;
using System.Globalization;
using Pbx.Bench.Mixer;
using Pbx.Media.Codecs;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Timing;

// How many conference participants one mixer (one ticker thread) serves on this machine without missing a 20 ms
// deadline, for several room sizes, with G.711 decode + encode per participant and no sockets. Method per room size:
// 1. calibrate: time mixer ticks back to back to estimate the cost per participant and the capacity;
// 2. verify in real time on the system clock: bisect the participant count between 40 % and 130 % of the estimate,
//    running each candidate for --seconds and counting ticks that finish after the next deadline.
// Then the same cost measure for the relay's per-packet work, for comparison.
// With --sockets it measures instead what the daemon really runs: relay legs served by RelayLegAudioPort on loopback
// sockets, with simulated phones, compared with plain two-leg relay calls (see SocketBench).
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine(BenchSettings.Usage);
    return 1;
}
if (settings.Sockets) return await SocketBench.RunAsync(settings);
var invariant = CultureInfo.InvariantCulture;
var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, load average {loadAverage} at start, .NET {Environment.Version}; mixer runs on one ticker thread");
Console.WriteLine($"codec work per participant and tick: decode + encode {(settings.WidebandPercent > 0 ? $"G.711, {settings.WidebandPercent} % G.722" : "G.711 µ-law")}");
Console.WriteLine();
Console.WriteLine("room size | est. capacity | served in real time | µs/participant/tick | CPU per participant | missed deadlines at limit+step | worst tick");

foreach (var roomSize in settings.RoomSizes)
{
    var costMicroseconds = Calibrate(roomSize, settings.WidebandPercent);
    var estimate = (int)(MediaTicker.Period.TotalMicroseconds / costMicroseconds);
    var (served, cpuPerParticipant, worst, missedAbove) = Bisect(roomSize, settings, estimate);
    Console.WriteLine(string.Create(invariant,
        $"{roomSize,9} | {estimate,13} | {served,18} | {costMicroseconds,19:F2} | {cpuPerParticipant,16:F3} % | {missedAbove,30} | {worst,7:F1} ms"));
}

Console.WriteLine();
const int relayCalls = 1000;
var relayNanoseconds = RelayCost.NanosecondsPerCallTick(relayCalls, 2000);
Console.WriteLine(string.Create(invariant,
    $"relay (no sockets): {relayNanoseconds / 1000:F3} µs per call per 20 ms (2 packets) = {relayNanoseconds / 1000 / 200:F4} % of a core per call; "
    + $"{MediaTicker.Period.TotalNanoseconds / relayNanoseconds:F0} calls per core by packet handling alone"));
Console.WriteLine("relay with sockets: run scripts/bench/rtp-relay (dotnet run -c Release -- --calls N) for the syscall-inclusive CPU per call");
return 0;

static VoiceCodec CodecFor(int index, int widebandPercent) =>
    VoiceCodec.Create(index % 100 < widebandPercent ? AudioCodec.G722 : AudioCodec.Pcmu);

static (ConferenceMixer Mixer, List<CodecPort> Ports) Build(MediaTicker ticker, int roomSize, int participants, int widebandPercent)
{
    var mixer = new ConferenceMixer(ticker, new ConferenceMixerOptions { PlayJoinLeaveTones = false, MaxParticipantsPerRoom = roomSize });
    var ports = new List<CodecPort>(participants);
    ConferenceRoom? room = null;
    for (var i = 0; i < participants; i++)
    {
        if (i % roomSize == 0) room = mixer.CreateRoom($"room-{i / roomSize}");
        var port = new CodecPort(CodecFor(i, widebandPercent), 120 + (i % roomSize * 37), i);
        room!.Join(port, out _);
        ports.Add(port);
    }
    return (mixer, ports);
}

static double Calibrate(int roomSize, int widebandPercent)
{
    var participants = Math.Max(roomSize, 200 / roomSize * roomSize);
    using var ticker = new MediaTicker(new FrozenTime());
    var (mixer, _) = Build(ticker, roomSize, participants, widebandPercent);
    // Warm up by time, not count: tiered compilation promotes hot methods to optimised code in the background.
    var warmUp = Stopwatch.StartNew();
    for (var i = 0; warmUp.Elapsed < TimeSpan.FromSeconds(1.5); i++) mixer.OnTick(new MediaTick(i, TimeSpan.Zero));
    // Process CPU time rather than wall time: on a shared machine other processes steal the core in between.
    const int ticks = 1000;
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    for (var i = 0; i < ticks; i++) mixer.OnTick(new MediaTick(i, TimeSpan.Zero));
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    mixer.Dispose();
    return cpu.TotalMicroseconds / ((double)ticks * participants);
}

static (int Served, double CpuPercentPerParticipant, double WorstMs, long MissedAbove) Bisect(int roomSize, BenchSettings settings, int estimate)
{
    var low = 0;
    var high = Math.Max(roomSize, (int)(estimate * 1.3) / roomSize * roomSize);
    var candidate = Math.Max(roomSize, (int)(estimate * 0.4) / roomSize * roomSize);
    double cpuAtServed = 0, worstAtServed = 0;
    long missedAbove = -1;
    for (var round = 0; round < 8 && high - low > roomSize; round++)
    {
        var run = RunRealTime(roomSize, candidate, settings);
        if (run.Missed == 0 && run.Skipped == 0)
        {
            low = candidate;
            cpuAtServed = run.CpuPercent / candidate;
            worstAtServed = run.WorstMs;
        }
        else
        {
            high = candidate;
            missedAbove = run.Missed + run.Skipped;
        }
        candidate = Math.Max(roomSize, (low + high) / 2 / roomSize * roomSize);
        if (candidate <= low) break;
    }
    return (low, cpuAtServed, worstAtServed, missedAbove);
}

static (long Missed, long Skipped, double CpuPercent, double WorstMs) RunRealTime(int roomSize, int participants, BenchSettings settings)
{
    using var ticker = new MediaTicker();
    var probe = new DeadlineProbe(ticker);
    ticker.Add(probe.StartStamp);
    var (mixer, _) = Build(ticker, roomSize, participants, settings.WidebandPercent);
    ticker.Add(probe);
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    ticker.Start();
    Thread.Sleep(TimeSpan.FromSeconds(settings.Seconds));
    // The mixer leaves the ticker first: a ticker that never catches up never looks at its stop signal (see README).
    mixer.Dispose();
    ticker.Dispose();
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    // Skipped ticks count against the run; the probe ignores its warm-up ticks (see DeadlineProbe.WarmupTicks).
    return (probe.Missed, ticker.SkippedTicks, 100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds, probe.WorstMilliseconds);
}

internal sealed class FrozenTime : TimeProvider
{
    public override long GetTimestamp() => 0;
}
