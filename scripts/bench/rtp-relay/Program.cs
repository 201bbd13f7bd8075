using System.Globalization;
using Pbx.Bench.RtpRelay;

// Drives N relayed calls on 127.0.0.1, each phone sending one RTP packet per ptime in each direction, for a bounded
// duration, then prints relayed packets, loss, latency added by the relay (against a direct phone-to-phone
// baseline run with the same pacing) and process CPU.
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release -- [--calls N=100] [--seconds S=10] [--baseline-seconds S=3] [--ptime MS=20] [--payload BYTES=160] [--min-port P=40000] [--max-port P=49999]");
    return 1;
}

var baseline = await BenchRun.RunAsync(settings, viaRelay: false, settings.BaselineSeconds);
var relay = await BenchRun.RunAsync(settings, viaRelay: true, settings.Seconds);
if (baseline is null || relay is null) return 2;

static string Percent(long lost, long sent) => sent == 0 ? "n/a" : (100.0 * lost / sent).ToString("F3", CultureInfo.InvariantCulture) + " %";
static string Micro(double value) => value.ToString("F0", CultureInfo.InvariantCulture) + " µs";

var relayedPerSecond = relay.Relayed / relay.SendingTime.TotalSeconds;
Console.WriteLine($"calls                {settings.Calls} ({settings.Calls * 2} streams, {1000 / settings.PtimeMs} packets/s each way, {settings.PayloadBytes}-byte payload)");
Console.WriteLine($"duration             {relay.SendingTime.TotalSeconds:F1} s through the relay (+0.5 s drain), baseline {baseline.SendingTime.TotalSeconds:F1} s direct");
Console.WriteLine($"packets sent         A->B {relay.SentAToB}, B->A {relay.SentBToA}");
Console.WriteLine($"packets relayed      {relay.Relayed} ({relayedPerSecond:F0}/s), dropped by relay {relay.DroppedByRelay}");
Console.WriteLine($"loss                 A->B {Percent(relay.SentAToB - relay.ReceivedAtB, relay.SentAToB)}, B->A {Percent(relay.SentBToA - relay.ReceivedAtA, relay.SentBToA)}");
foreach (var (name, quantile) in new[] { ("p50", 0.50), ("p99", 0.99) })
{
    var through = relay.Latency.Quantile(quantile);
    var direct = baseline.Latency.Quantile(quantile);
    Console.WriteLine($"latency {name}          via relay {Micro(through)}, direct {Micro(direct)}, added {Micro(through - direct)}");
}
Console.WriteLine($"process CPU          {relay.Cpu.TotalSeconds:F2} s = {100 * relay.Cpu.TotalSeconds / relay.Wall.TotalSeconds:F1} % of one core ({Environment.ProcessorCount} cores) with relay; "
                  + $"{100 * baseline.Cpu.TotalSeconds / baseline.Wall.TotalSeconds:F1} % for the phones alone (baseline)");
Console.WriteLine($"GC                   {GC.GetTotalAllocatedBytes(true) / 1024.0 / 1024.0:F1} MiB allocated in total, collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
return 0;

internal sealed record BenchSettings(int Calls, int Seconds, int BaselineSeconds, int PtimeMs, int PayloadBytes, int MinPort, int MaxPort)
{
    public static BenchSettings? Parse(string[] args)
    {
        var values = new Dictionary<string, int>
        {
            ["--calls"] = 100, ["--seconds"] = 10, ["--baseline-seconds"] = 3, ["--ptime"] = 20, ["--payload"] = 160,
            ["--min-port"] = 40000, ["--max-port"] = 49999,
        };
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0) return null;
            values[args[i]] = value;
        }
        var settings = new BenchSettings(values["--calls"], values["--seconds"], values["--baseline-seconds"], values["--ptime"],
            values["--payload"], values["--min-port"], values["--max-port"]);
        var valid = settings.Seconds <= 3600 && settings.BaselineSeconds <= 600 && settings.PtimeMs <= 1000
                    && settings.PayloadBytes <= 1400 && settings.MaxPort <= 65535 && settings.MinPort < settings.MaxPort;
        return valid ? settings : null;
    }
}
