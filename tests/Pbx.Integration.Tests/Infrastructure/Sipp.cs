using System.Diagnostics;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>Runs one sipp scenario from Scenarios/ against a daemon, as one call, on its own free local port.</summary>
internal static class Sipp
{
    public sealed record Result(int ExitCode, string Log, string Errors, string Messages)
    {
        public override string ToString() => $"sipp exit {ExitCode}\n{Errors}\n{Messages}";
    }

    public static async Task<Result> RunAsync(DaemonProcess daemon, string scenario, string user, string password, int expires,
        string transport = "u1", TimeSpan? limit = null, int? localPort = null)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "users.csv"), $"SEQUENTIAL\n{user};{password};{expires}\n");
            var info = new ProcessStartInfo("sipp")
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[
                $"127.0.0.1:{daemon.SipPort}", "-sf", Path.Combine(AppContext.BaseDirectory, "Scenarios", scenario),
                "-inf", "users.csv", "-au", user, "-ap", password, "-t", transport,
                "-i", "127.0.0.1", "-p", (localPort ?? FreePorts.Next()).ToString(), "-m", "1", "-l", "1",
                "-timeout", $"{(int)(limit ?? TimeSpan.FromSeconds(15)).TotalSeconds}s", "-timeout_error",
                "-trace_logs", "-trace_err", "-trace_msg", "-nostdin"])
                info.ArgumentList.Add(arg);
            var run = await ProcessRunner.RunAsync(info, (limit ?? TimeSpan.FromSeconds(15)) + TimeSpan.FromSeconds(30));
            string Read(string suffix) => string.Join('\n', Directory.GetFiles(folder, $"*_{suffix}.log").Select(File.ReadAllText));
            return new Result(run.ExitCode, Read("logs"), Read("errors"), Read("messages"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
