using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>
/// The real daemon as a child process on free loopback ports, with its own data folder and config file.
/// Output lines are kept so a failing test can show what the daemon said.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();
    private Process? _process;

    private DaemonProcess(string folder, int adminPort, int drainSeconds)
    {
        Folder = folder;
        AdminPort = adminPort;
        DrainSeconds = drainSeconds;
        XmppPort = FreePorts.Next();
        SipPort = FreePorts.Next();
        SipTlsPort = FreePorts.Next();
    }

    public string Folder { get; }
    public string DataDirectory => Path.Combine(Folder, "data");
    public string ConfigPath => Path.Combine(Folder, "pbx.json");
    public int AdminPort { get; }
    public int XmppPort { get; }
    /// <summary>SIP over UDP and TCP share this port, as 5060 does by default.</summary>
    public int SipPort { get; }
    public int SipTlsPort { get; }
    public const string XmppDomain = "pbx.test";
    public int DrainSeconds { get; }
    public Uri AdminUrl => new($"http://127.0.0.1:{AdminPort}");
    public string Output => string.Join('\n', _output);
    public string Error => string.Join('\n', _error);
    public Process Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>A configuration with every listener on its own free loopback port.</summary>
    public static DaemonProcess Create(int drainSeconds = 10, Action<JsonObject>? adjust = null)
    {
        var folder = Directory.CreateTempSubdirectory("pbx-daemon-").FullName;
        var daemon = new DaemonProcess(folder, FreePorts.Next(), drainSeconds);
        var config = new JsonObject
        {
            ["Sip"] = new JsonObject
            {
                ["BindAddress"] = "127.0.0.1", ["UdpPort"] = daemon.SipPort, ["TcpPort"] = daemon.SipPort, ["TlsPort"] = daemon.SipTlsPort,
                ["QualifyIntervalSeconds"] = 1,
            },
            ["Xmpp"] = new JsonObject { ["BindAddress"] = "127.0.0.1", ["ClientPort"] = daemon.XmppPort, ["Domain"] = XmppDomain },
            ["Admin"] = new JsonObject { ["Port"] = daemon.AdminPort },
            ["Storage"] = new JsonObject { ["DataDirectory"] = daemon.DataDirectory },
            ["Shutdown"] = new JsonObject { ["DrainSeconds"] = drainSeconds },
        };
        adjust?.Invoke(config);
        File.WriteAllText(daemon.ConfigPath, config.ToJsonString());
        return daemon;
    }

    public void Start()
    {
        _output.Clear();
        _error.Clear();
        _process = Process.Start(ProcessRunner.Dotnet(Binaries.Daemon, ["--config", ConfigPath], Folder))!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _error.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Polls /health/ready until it answers Healthy; fails early if the process dies.</summary>
    public async Task StartAndWaitReadyAsync(TimeSpan? limit = null)
    {
        Start();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (limit ?? TimeSpan.FromSeconds(60)))
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"daemon exited with {Process.ExitCode} before it was ready:\n{Output}\n{Error}");
            try
            {
                if (await http.GetStringAsync(new Uri(AdminUrl, "/health/ready")) == "Healthy") return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { /* not listening yet */ }
            await Task.Delay(100);
        }
        throw new TimeoutException($"daemon not ready within the limit:\n{Output}\n{Error}");
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code and how long the stop took.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        ProcessRunner.SendSignal(Process, ProcessRunner.SigTerm);
        using var timeout = new CancellationTokenSource(limit);
        await Process.WaitForExitAsync(timeout.Token);
        return (Process.ExitCode, clock.Elapsed);
    }

    public async Task KillHardAsync()
    {
        ProcessRunner.SendSignal(Process, ProcessRunner.SigKill);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Process.WaitForExitAsync(timeout.Token);
    }

    public HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
        // No token in the test config: the daemon generates one into its data folder, as on a fresh install.
        var token = File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs pbxctl against this daemon the way an admin would on the same machine: token found in the data folder.</summary>
    public Task<ProcessResult> PbxCtlAsync(params string[] args) => PbxCtlWithInputAsync(null, args);

    public Task<ProcessResult> PbxCtlWithInputAsync(string? input, params string[] args) =>
        ProcessRunner.RunAsync(
            ProcessRunner.Dotnet(Binaries.PbxCtl, [.. args, "--url", AdminUrl.ToString(), "--data-dir", DataDirectory], Folder),
            TimeSpan.FromSeconds(60), input);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a file still held open by a dying process: leave the temp folder */ }
    }
}
