using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>Runs one sipp scenario from Scenarios/ against a daemon, as one call, on its own free local port.</summary>
internal static class Sipp
{
    public sealed record Result(int ExitCode, string Log, string Errors, string Messages)
    {
        public override string ToString() => $"sipp exit {ExitCode}\n{Errors}\n{Messages}";
    }

    private static string ScenarioPath(string scenario) => Path.Combine(AppContext.BaseDirectory, "Scenarios", scenario);

    public static async Task<Result> RunAsync(DaemonProcess daemon, string scenario, string user, string password, int expires,
        string transport = "u1", TimeSpan? limit = null, int? localPort = null)
    {
        var time = limit ?? TimeSpan.FromSeconds(15);
        return await RunInFolderAsync(folder => Info(folder, [
            $"127.0.0.1:{daemon.SipPort}", "-sf", ScenarioPath(scenario),
            "-inf", "users.csv", "-au", user, "-ap", password, "-t", transport,
            "-i", "127.0.0.1", "-p", (localPort ?? FreePorts.Next()).ToString(CultureInfo.InvariantCulture), "-m", "1", "-l", "1",
            .. Common(time)]), $"{user};{password};{expires}", time);
    }

    /// <summary>
    /// Places one call through the daemon as <paramref name="user"/> dialling <paramref name="number"/>: injection field 0
    /// is the login ID, -s the number, -au/-ap answer the 407 (the digest-uri is the Request-URI the scenario sends).
    /// </summary>
    public static async Task<Result> CallAsync(DaemonProcess daemon, string scenario, string user, string password, string number,
        TimeSpan? limit = null, int? mediaPort = null)
    {
        var time = limit ?? TimeSpan.FromSeconds(20);
        return await RunInFolderAsync(folder => Info(folder, [
            $"127.0.0.1:{daemon.SipPort}", "-sf", ScenarioPath(scenario), "-s", number,
            "-inf", "users.csv", "-au", user, "-ap", password, "-auth_uri", $"{number}@127.0.0.1:{daemon.SipPort}", "-t", "u1",
            "-i", "127.0.0.1", "-p", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", (mediaPort ?? MediaPort()).ToString(CultureInfo.InvariantCulture), "-m", "1", "-l", "1",
            .. Common(time)]), $"{user};{password};0", time);
    }

    /// <summary>
    /// Starts a callee (UAS scenario) listening on <paramref name="localPort"/>, the port it registered from, and returns
    /// once the port is bound. The scenario ends itself after its one call (stop_gracefully), answering qualify OPTIONS meanwhile.
    /// </summary>
    public static async Task<Callee> AnswerAsync(string scenario, int localPort, TimeSpan? limit = null, IReadOnlyList<string>? extraArgs = null)
    {
        var time = limit ?? TimeSpan.FromSeconds(30);
        var folder = Directory.CreateTempSubdirectory("sipp-uas-").FullName;
        var mediaPort = MediaPort();
        var info = Info(folder, [
            "-sf", ScenarioPath(scenario), "-t", "u1", "-i", "127.0.0.1", "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", mediaPort.ToString(CultureInfo.InvariantCulture), .. extraArgs ?? [], .. Common(time)]);
        var callee = new Callee(Process.Start(info)!, folder, mediaPort, time);
        try
        {
            await callee.WaitUntilListeningAsync(localPort);
            return callee;
        }
        catch
        {
            await callee.DisposeAsync();
            throw;
        }
    }

    /// <summary>A running callee; disposing kills it if it is still running and removes its folder.</summary>
    public sealed class Callee : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;
        private readonly TimeSpan _limit;
        private readonly Task<string> _output;
        private readonly Task<string> _error;

        internal Callee(Process process, string folder, int mediaPort, TimeSpan limit)
        {
            _process = process;
            _folder = folder;
            _limit = limit;
            MediaPort = mediaPort;
            _output = process.StandardOutput.ReadToEndAsync();
            _error = process.StandardError.ReadToEndAsync();
            process.StandardInput.Close();
        }

        /// <summary>The RTP port the callee puts in its SDP (m=audio).</summary>
        public int MediaPort { get; }

        internal async Task WaitUntilListeningAsync(int port)
        {
            var clock = Stopwatch.StartNew();
            while (!IsUdpBound(port))
            {
                if (_process.HasExited)
                    throw new InvalidOperationException($"callee sipp exited with {_process.ExitCode} before listening:\n{await _output}\n{await _error}\n{Read(_folder, "errors")}");
                if (clock.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"callee sipp not listening on {port} within 10 s");
                await Task.Delay(50);
            }
        }

        /// <summary>
        /// Waits for the scenario to end, at most <paramref name="within"/> (default: its -timeout plus a margin), and collects
        /// its logs. A callee still running then is stopped with SIGINT (sipp flushes its logs) and reported with exit code -1.
        /// </summary>
        public async Task<Result> WaitAsync(TimeSpan? within = null)
        {
            var limit = within ?? _limit + TimeSpan.FromSeconds(15);
            var stopped = false;
            using (var timeout = new CancellationTokenSource(limit))
            {
                try { await _process.WaitForExitAsync(timeout.Token); }
                catch (OperationCanceledException) { stopped = true; }
            }
            if (stopped)
            {
                ProcessRunner.SendSignal(_process, SigInt);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await _process.WaitForExitAsync(grace.Token); }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
            await Task.WhenAll(_output, _error);
            var errors = Read(_folder, "errors");
            return stopped
                ? new Result(-1, Read(_folder, "logs"), $"callee scenario still running after {limit.TotalSeconds} s: stopped\n{errors}", Read(_folder, "messages"))
                : new Result(_process.ExitCode, Read(_folder, "logs"), errors, Read(_folder, "messages"));
        }

        private const int SigInt = 2;

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
            _process.Dispose();
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { /* a log file still held open: leave the temp folder */ }
        }
    }

    private static string[] Common(TimeSpan limit) =>
        ["-timeout", $"{(int)limit.TotalSeconds}s", "-timeout_error", "-trace_logs", "-trace_err", "-trace_msg", "-nostdin"];

    private static ProcessStartInfo Info(string folder, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("sipp")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return info;
    }

    private static async Task<Result> RunInFolderAsync(Func<string, ProcessStartInfo> info, string injectionLine, TimeSpan limit)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "users.csv"), $"SEQUENTIAL\n{injectionLine}\n");
            var run = await ProcessRunner.RunAsync(info(folder), limit + TimeSpan.FromSeconds(30));
            return new Result(run.ExitCode, Read(folder, "logs"), Read(folder, "errors"), Read(folder, "messages"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Read(string folder, string suffix) =>
        string.Join('\n', Directory.GetFiles(folder, $"*_{suffix}.log").Select(File.ReadAllText));

    /// <summary>sipp binds its RTP echo socket on the media port and video on media port + 2: both must be free.</summary>
    private static int MediaPort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = FreePorts.Next();
            if (port > 65533) continue;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port + 2));
                return port;
            }
            catch (SocketException) { /* taken: try another */ }
        }
        throw new InvalidOperationException("no free media port pair for sipp in 50 attempts");
    }

    /// <summary>Whether something holds UDP <paramref name="port"/> on loopback or any address (read from /proc, so no bind races).</summary>
    private static bool IsUdpBound(int port)
    {
        var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/udp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 1 && (fields[1] == "0100007F" + suffix || fields[1] == "00000000" + suffix));
    }
}
