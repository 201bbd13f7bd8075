using System.Globalization;
using System.Net;
using Pbx.Media.Ports;

namespace Pbx.Bench.Mixer;

/// <summary>
/// Socket-inclusive capacity: steps the participant count up through the levels, each conference level followed by
/// the plain relay at the same number of legs (same packet rate in and out), and stops after the first level the
/// conference does not serve cleanly. CPU figures are the process minus the simulated phones' threads.
/// </summary>
internal static class SocketBench
{
    // Below Linux's default ephemeral range (32768-60999), where the phones' sockets get their ports.
    private const int MinPort = 20000;
    private const int MaxPort = 32767;
    // A conference participant holds a session (2 port pairs = 4 sockets) and its phone's socket; a relay leg half that plus its phone.
    private const int SocketsPerParticipant = 5;
    // Other processes' CPU during a failed level above which the level is repeated once.
    private const double OtherLoadRetryPercent = 10;

    public static RtpPortAllocator CreateAllocator() =>
        new(new RtpPortAllocatorOptions { MinPort = MinPort, MaxPort = MaxPort, BindAddress = IPAddress.Loopback });

    public static async Task<int> RunAsync(BenchSettings settings)
    {
        var invariant = CultureInfo.InvariantCulture;
        var maxByPorts = CreateAllocator().Capacity / 2;
        var maxByFiles = (OpenFileLimit() - 500) / SocketsPerParticipant;
        var cap = Math.Min(maxByPorts, maxByFiles);
        var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        Console.WriteLine($"sockets mode: {Environment.ProcessorCount} logical cores, load average {loadAverage} at start, .NET {Environment.Version}");
        Console.WriteLine(string.Create(invariant,
            $"conference: rooms of {settings.RoomSize}, one RelayLegAudioPort per relay session (leg A), one mixer on one ticker; relay: two-leg sessions forwarding both ways"));
        Console.WriteLine(string.Create(invariant,
            $"phones: simulated in this process on {settings.PhoneThreads} threads, 172-byte PCMU every 20 ms each, 127.0.0.1; relay ports {MinPort}-{MaxPort}; "
            + $"at most {cap} participants (ports allow {maxByPorts}, open-file limit {maxByFiles}); {LevelWindow.WarmUp.TotalSeconds:F0} s warm-up + {settings.Seconds} s measured per level"));
        Console.WriteLine("CPU in % of one core; PBX = process minus phone threads; others = other programs on the machine; per-leg rates in packets/s (50 expected); in = packets the PBX accepted / phones sent");
        Console.WriteLine();
        Console.WriteLine("mode       |  legs | process |  phones |     PBX | PBX/leg | conf/relay | sent/s |   in % | back/s | missed | late>5ms | skipped | over budget | worst tick | phone lag | others | verdict");

        LevelResult? bestConference = null, bestRelay = null;
        foreach (var requested in settings.Levels)
        {
            var participants = Math.Max(settings.RoomSize, requested / settings.RoomSize * settings.RoomSize);
            if (participants > cap)
            {
                Console.WriteLine($"level {requested} skipped: above the cap of {cap} participants");
                break;
            }
            var conference = await ConferenceLevel.RunAsync(participants, settings.RoomSize, settings);
            Settle();
            if (!conference.IsClean && conference.Failure is null && conference.OthersCpuPercent > OtherLoadRetryPercent)
            {
                // On a shared machine another program's burst is not the PBX's limit: one more try, shown as such.
                Console.WriteLine($"{Row(conference, double.NaN)} (other programs busy: repeated)");
                conference = await ConferenceLevel.RunAsync(participants, settings.RoomSize, settings);
                Settle();
            }
            var relay = await RelayLevel.RunAsync(participants, settings);
            Settle();
            var ratio = relay.PbxCpuPercentPerLeg > 0 ? conference.PbxCpuPercentPerLeg / relay.PbxCpuPercentPerLeg : double.NaN;
            Console.WriteLine(Row(conference, ratio));
            Console.WriteLine(Row(relay, double.NaN));
            if (!conference.IsClean) break;
            bestConference = conference;
            bestRelay = relay;
        }

        Console.WriteLine();
        if (bestConference is null || bestRelay is null)
        {
            Console.WriteLine("no level was served cleanly");
            return 0;
        }
        var perParticipant = bestConference.PbxCpuPercentPerLeg;
        var perLeg = bestRelay.PbxCpuPercentPerLeg;
        Console.WriteLine(string.Create(invariant,
            $"largest clean level: {bestConference.Legs} conference participants ({bestConference.Legs / settings.RoomSize} rooms of {settings.RoomSize}); "
            + $"PBX CPU {bestConference.PbxCpuPercent:F1} % = {perParticipant:F4} % of a core per participant (process {bestConference.ProcessCpuPercent:F1} %, phones {bestConference.PhoneCpuPercent:F1} %)"));
        Console.WriteLine(string.Create(invariant,
            $"plain relay, same {bestRelay.Legs} legs ({bestRelay.Legs / 2} calls): PBX CPU {bestRelay.PbxCpuPercent:F1} % = {perLeg:F4} % per leg, {2 * perLeg:F4} % per call "
            + $"(process {bestRelay.ProcessCpuPercent:F1} %, phones {bestRelay.PhoneCpuPercent:F1} %)"));
        Console.WriteLine(string.Create(invariant,
            $"CPU per conference participant / CPU per relay leg = {perParticipant / perLeg:F2}"));
        return 0;
    }

    private static string Row(LevelResult r, double ratio)
    {
        if (r.Failure is not null) return $"{r.Mode,-10} | {r.Legs,5} | failed: {r.Failure}";
        var verdict = r.IsClean ? "clean"
            : r.SentPerLegPerSecond < 0.95 * LevelResult.PacketsPerSecond ? "phones behind"
            : r.Ticks.Missed + r.Ticks.Skipped + r.Ticks.OverBudget > 0 ? "missed deadlines"
            : "packets lost";
        var ratioText = double.IsNaN(ratio) ? "" : ratio.ToString("F2", CultureInfo.InvariantCulture);
        var ticks = r.Mode == "relay" ? $"{"-",6} | {"-",8} | {"-",7} | {"-",11} | {"-",10}"
            : string.Create(CultureInfo.InvariantCulture, $"{r.Ticks.Missed,6} | {r.Ticks.Late,8} | {r.Ticks.Skipped,7} | {r.Ticks.OverBudget,11} | {r.WorstTickMs,7:F1} ms");
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Mode,-10} | {r.Legs,5} | {r.ProcessCpuPercent,5:F1} % | {r.PhoneCpuPercent,5:F1} % | {r.PbxCpuPercent,5:F1} % | {r.PbxCpuPercentPerLeg,7:F4} | {ratioText,10} | "
            + $"{r.SentPerLegPerSecond,6:F1} | {r.InPercent,6:F1} | {r.BackPerLegPerSecond,6:F1} | {ticks} | {r.PhoneWorstLatenessMs,6:F1} ms | {r.OthersCpuPercent,4:F0} % | {verdict}");
    }

    /// <summary>Lets the closed sockets' handles be finalised and the last receive loops end before the next level.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Thread.Sleep(300);
    }

    private static int OpenFileLimit()
    {
        // "Max open files  <soft>  <hard>  files" on Linux; elsewhere assume the common default.
        const int fallback = 1024;
        if (!File.Exists("/proc/self/limits")) return fallback;
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : fallback;
        }
        return fallback;
    }
}
