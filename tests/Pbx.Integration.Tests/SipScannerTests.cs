using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>The attack scanner admins meet in their logs (sipvicious), run against the daemon.</summary>
public sealed class SipScannerTests
{
    private static async Task<DaemonProcess> StartWithUsersAsync()
    {
        var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        foreach (var user in new[] { "1000", "1001", "1005" })
            (await admin.PostAsJsonAsync("/api/users", new { loginId = user, displayName = $"Desk {user}", password = $"long-secret-{user}" })).EnsureSuccessStatusCode();
        return daemon;
    }

    private static Task<ProcessResult> Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }

    [Theory]
    [InlineData("REGISTER")]
    [InlineData("INVITE")]
    [InlineData("OPTIONS")]
    public async Task Svwar_enumerates_no_extension(string method)
    {
        await using var daemon = await StartWithUsersAsync();

        var scan = await Run("svwar", "-e990-1010", "-m", method, "-p", daemon.SipPort.ToString(), "-P", FreePorts.Next().ToString(), "127.0.0.1");

        var text = scan.Output + scan.Error;
        // Enumeration means telling real extensions from the rest. If svwar lists anything (under load it may miss its
        // baseline answer and then list whatever answers), the real ones must look exactly like the ones that do not exist.
        var rows = text.Split('\n')
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 2 && cells[0].All(char.IsAsciiDigit))
            .ToDictionary(cells => cells[0], cells => cells[1]);
        string[] real = ["1000", "1001", "1005"];
        var realStatuses = rows.Where(r => real.Contains(r.Key)).Select(r => r.Value).ToHashSet();
        var otherStatuses = rows.Where(r => !real.Contains(r.Key)).Select(r => r.Value).ToHashSet();
        Assert.True(realStatuses.IsSubsetOf(otherStatuses), $"svwar singled out real extensions:\n{text}");
        Assert.True(rows.Count == 0 || otherStatuses.Count > 0, text);
    }

    [Fact]
    public async Task Svcrack_gets_its_source_banned_and_cracks_nothing()
    {
        await using var daemon = await StartWithUsersAsync();

        // Its own free local port: on the default 5060 it could catch another test's traffic and take a stray
        // "200 OK" for a cracked account.
        var crack = await Run("svcrack", "-u", "1000", "-r", "100000-100100", "-p", daemon.SipPort.ToString(), "-P", FreePorts.Next().ToString(), "127.0.0.1");

        var text = crack.Output + crack.Error;
        Assert.DoesNotContain("long-secret", text);
        Assert.True(text.Contains("found nothing"), text);
        using var admin = daemon.AdminClient();
        var bans = await admin.GetFromJsonAsync<JsonArray>("/api/sip/bans");
        Assert.Contains(bans!, b => b!["address"]!.GetValue<string>() == "127.0.0.1");
        Assert.Contains(daemon.Output.Split('\n'), line => line.Contains("BANNED 127.0.0.1"));
    }
}
