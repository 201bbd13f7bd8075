using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

public sealed class SystemdNotifyTests
{
    /// <summary>
    /// The host speaks sd_notify only when its parent process is called "systemd", so the daemon runs under a copy
    /// of bash with that name, and this test plays the service manager's NOTIFY_SOCKET.
    /// </summary>
    [Fact]
    public async Task Ready_is_sent_only_once_the_admin_listener_accepts_connections_and_stopping_on_sigterm()
    {
        await using var daemon = DaemonProcess.Create(drainSeconds: 5);
        var fakeSystemd = Path.Combine(daemon.Folder, "systemd");
        File.Copy("/bin/bash", fakeSystemd);
        var socketPath = Path.Combine(daemon.Folder, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));

        var start = new ProcessStartInfo(fakeSystemd) { WorkingDirectory = daemon.Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        // "; exit $?" keeps bash alive as the parent instead of letting it exec the daemon in its place.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"dotnet '{Binaries.Daemon}' --config '{daemon.ConfigPath}'; exit $?");
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        using var parent = Process.Start(start)!;
        try
        {
            var ready = await ReceiveAsync(notify, TimeSpan.FromSeconds(60));
            Assert.Contains("READY=1", ready);
            using (var probe = new TcpClient())
                await probe.ConnectAsync("127.0.0.1", daemon.AdminPort).WaitAsync(TimeSpan.FromSeconds(1));

            var child = Process.GetProcesses().Single(p => ParentOf(p.Id) == parent.Id);
            ProcessRunner.SendSignal(child, ProcessRunner.SigTerm);
            Assert.Contains("STOPPING=1", await ReceiveAsync(notify, TimeSpan.FromSeconds(30)));
            await parent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, parent.ExitCode);
        }
        finally
        {
            if (!parent.HasExited) parent.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan limit)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(limit);
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return -1; }
    }
}
