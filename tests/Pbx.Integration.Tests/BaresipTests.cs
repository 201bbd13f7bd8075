using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>A real softphone registers over each transport and answers the daemon's keep-alives.</summary>
public sealed class BaresipTests
{
    [Theory]
    [InlineData("udp", "UDP")]
    [InlineData("tcp", "TCP")]
    [InlineData("tls", "TLS")]
    public async Task Baresip_registers_and_shows_reachable_in_pbxctl_then_unregisters_on_exit(string transport, string listed)
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        (await admin.PostAsJsonAsync("/api/users", new { loginId = "alice", displayName = "Alice", password = "alice-sip-secret" })).EnsureSuccessStatusCode();

        var phone = Baresip.Register(daemon, "alice", "alice-sip-secret", transport);
        string registrations;
        await using (phone)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            do
            {
                await Task.Delay(500);
                registrations = (await daemon.PbxCtlAsync("registrations")).Output;
            }
            while (!registrations.Contains("REACHABLE") && DateTime.UtcNow < deadline);

            var line = registrations.Split('\n').SingleOrDefault(l => l.StartsWith("alice ", StringComparison.Ordinal));
            Assert.True(line is not null && line.Contains("REACHABLE") && line.Contains(listed) && line.Contains("baresip"),
                $"{registrations}\n--- daemon ---\n{daemon.Output}\n--- baresip ---\n{phone.Output}");
        }

        // baresip unregisters (Expires: 0) when it stops.
        var rows = await admin.GetFromJsonAsync<JsonArray>("/api/registrations");
        Assert.Empty(rows!);
    }
}
