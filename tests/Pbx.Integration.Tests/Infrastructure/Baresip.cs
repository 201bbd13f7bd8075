using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>A real softphone (baresip) registered to a daemon, headless, in its own config folder.</summary>
internal sealed class Baresip : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly ConcurrentQueue<string> _output = new();

    private Baresip(Process process, string folder)
    {
        _process = process;
        _folder = folder;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _output);

    /// <param name="transport">udp, tcp or tls.</param>
    public static Baresip Register(DaemonProcess daemon, string user, string password, string transport)
    {
        var folder = Directory.CreateTempSubdirectory("baresip-").FullName;
        File.WriteAllText(Path.Combine(folder, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{FreePorts.NextPair()}
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module_app		account.so
            audio_player		aufile,/dev/null
            audio_source		aufile,/dev/null
            sip_verify_server	no

            """);
        var port = transport == "tls" ? daemon.SipTlsPort : daemon.SipPort;
        File.WriteAllText(Path.Combine(folder, "accounts"), $"<sip:{user}@127.0.0.1:{port};transport={transport}>;auth_pass={password};regint=300\n");
        var info = new ProcessStartInfo("baresip")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-f", folder, "-t", "120"]) info.ArgumentList.Add(arg);
        return new Baresip(Process.Start(info)!, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessRunner.SendSignal(_process, ProcessRunner.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
