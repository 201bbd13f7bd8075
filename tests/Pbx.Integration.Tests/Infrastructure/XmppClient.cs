using System.Diagnostics;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>Runs Clients/xmpp_client.py (slixmpp, Debian's /usr/bin/python3) against a daemon.</summary>
internal static class XmppClient
{
    public const int Done = 0, AuthFailed = 2, NotMet = 3;

    private static ProcessStartInfo Start(DaemonProcess daemon, string user, string password, string[] args, string[] options)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = daemon.Folder,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Clients", "xmpp_client.py"));
        foreach (var a in (string[])["--jid", $"{user}@{DaemonProcess.XmppDomain}", "--password", password, "--port", daemon.XmppPort.ToString(), .. options, .. args])
            info.ArgumentList.Add(a);
        return info;
    }

    public static Task<ProcessResult> RunAsync(DaemonProcess daemon, string user, string password, params string[] args) =>
        ProcessRunner.RunAsync(Start(daemon, user, password, args, []), TimeSpan.FromSeconds(60));

    /// <summary>Starts a long-running client (e.g. receive) and returns once it printed <paramref name="readyLine"/>.</summary>
    public static async Task<(Process Process, Task<string> Output)> StartAsync(DaemonProcess daemon, string user, string password,
        string readyLine, string[] options, params string[] args)
    {
        var process = Process.Start(Start(daemon, user, password, args, options))!;
        process.StandardInput.Close();
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add(line);
                if (line.StartsWith(readyLine, StringComparison.Ordinal)) ready.TrySetResult();
            }
            ready.TrySetResult();
            lock (lines) return string.Join('\n', lines);
        });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (process, output);
    }
}
