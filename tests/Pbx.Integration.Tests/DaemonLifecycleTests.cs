using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

public sealed class DaemonLifecycleTests
{
    [Fact]
    public async Task Sigterm_stops_a_ready_daemon_with_exit_code_0_within_the_drain_time()
    {
        await using var daemon = DaemonProcess.Create(drainSeconds: 5);
        await daemon.StartAndWaitReadyAsync();

        var (exitCode, took) = await daemon.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{daemon.Output}\n{daemon.Error}");
        Assert.True(took < TimeSpan.FromSeconds(daemon.DrainSeconds), $"stop took {took}");
        Assert.Contains(daemon.Output.Split('\n'), line => line.Contains("READY"));
    }

    [Fact]
    public async Task A_broken_config_prints_one_line_naming_the_key_and_exits_non_zero()
    {
        await using var daemon = DaemonProcess.Create(adjust: config => config["Sip"]!["UdpPort"] = 70000);
        daemon.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await daemon.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, daemon.Process.ExitCode);
        var line = Assert.Single(daemon.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Sip:UdpPort", line);
        Assert.Contains("70000 is out of range", line);
    }

    [Fact]
    public async Task Unparsable_json_config_prints_one_line_and_exits_non_zero()
    {
        await using var daemon = DaemonProcess.Create();
        await File.WriteAllTextAsync(daemon.ConfigPath, "{ \"Sip\": { \"UdpPort\": 5060 ");
        daemon.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await daemon.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, daemon.Process.ExitCode);
        Assert.Contains("invalid JSON", Assert.Single(daemon.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_corrupt_database_prints_one_line_and_exits_with_the_storage_code()
    {
        await using var daemon = DaemonProcess.Create();
        Directory.CreateDirectory(daemon.DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(daemon.DataDirectory, "pbx.db"), new string('#', 10_000));
        daemon.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await daemon.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(3, daemon.Process.ExitCode);
        var line = Assert.Single(daemon.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("corrupt or not a SQLite database", line);
        Assert.DoesNotContain("   at ", daemon.Error);
    }

    [Fact]
    public async Task An_admin_port_already_in_use_prints_one_line_and_exits_with_the_listen_code()
    {
        await using var daemon = DaemonProcess.Create();
        using var squatter = new TcpListener(IPAddress.Loopback, daemon.AdminPort);
        squatter.Start();
        daemon.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await daemon.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(4, daemon.Process.ExitCode);
        Assert.Contains(daemon.Error.Split('\n'), line => line.StartsWith("pbx: cannot listen", StringComparison.Ordinal) && line.Contains(daemon.AdminPort.ToString()));
        Assert.DoesNotContain("   at ", daemon.Error);
    }

    [Fact]
    public async Task Kill_9_right_after_writes_loses_no_acknowledged_row()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using (var admin = daemon.AdminClient())
        {
            var writes = Enumerable.Range(0, 20).Select(i => admin.PostAsJsonAsync("/api/users",
                new { loginId = $"user{i}", displayName = $"User {i}", password = "password-" + i }));
            foreach (var response in await Task.WhenAll(writes))
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        await daemon.KillHardAsync();

        await daemon.StartAndWaitReadyAsync();
        using var after = daemon.AdminClient();
        var users = await after.GetFromJsonAsync<JsonArray>("/api/users");
        Assert.Equal(20, users!.Count);
    }
}
