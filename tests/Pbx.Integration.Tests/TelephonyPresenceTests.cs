using System.Net.Http.Json;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>Telephony presence in XMPP follows the user's SIP registrations (a real softphone and a real XMPP client).</summary>
public sealed class TelephonyPresenceTests
{
    [Fact]
    public async Task A_contacts_phone_turns_available_when_it_registers_and_unavailable_when_it_unregisters()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        foreach (var user in new[] { "alice", "bob" })
            (await admin.PostAsJsonAsync("/api/users", new { loginId = user, displayName = user, password = $"{user}-secret-pw" })).EnsureSuccessStatusCode();
        var bobJid = $"bob@{DaemonProcess.XmppDomain}";

        var (watcher, seen) = await XmppClient.StartAsync(daemon, "alice", "alice-secret-pw", "ready:", [], "telephony", bobJid, "available", "30");
        await using (Baresip.Register(daemon, "bob", "bob-secret-pw", "udp"))
        {
            await watcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            Assert.True(watcher.ExitCode == XmppClient.Done, await seen);
            Assert.Contains($"telephony: {bobJid}/phone state=available", await seen);

            // A client logging in later learns the current state from the login, not from a change.
            var late = await XmppClient.RunAsync(daemon, "alice", "alice-secret-pw", "telephony", bobJid, "available", "15");
            Assert.True(late.ExitCode == XmppClient.Done, late.Output + late.Error);
            (watcher, seen) = await XmppClient.StartAsync(daemon, "alice", "alice-secret-pw", "ready:", [], "telephony", bobJid, "unavailable", "30");
        }

        // baresip unregisters when it stops.
        await watcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
        Assert.True(watcher.ExitCode == XmppClient.Done, await seen);
        Assert.Contains($"telephony: {bobJid}/phone state=unavailable", await seen);
    }
}
