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

    [Fact]
    public async Task A_contact_shows_ringing_then_on_the_phone_during_a_call_and_available_after_it()
    {
        await using var daemon = DaemonProcess.Create(adjust: config => config["Sip"]!["QualifyIntervalSeconds"] = 3600);
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        foreach (var (user, number) in new[] { ("alice", "100"), ("bob", "101") })
        {
            (await admin.PostAsJsonAsync("/api/users", new { loginId = user, displayName = user, password = $"{user}-secret-pw" })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/numbers", new { number, user })).EnsureSuccessStatusCode();
        }
        var bobJid = $"bob@{DaemonProcess.XmppDomain}";
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", "bob", "bob-secret-pw", expires: 300, localPort: port);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        await using var callee = await Sipp.AnswerAsync("call_uas_listen.xml", port, extraArgs: ["-set", "mport", FreePorts.NextPair().ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        var (watcher, seen) = await XmppClient.StartAsync(daemon, "alice", "alice-secret-pw", "ready:", [], "telephony", bobJid, "on-the-phone", "30");
        // A call of about four seconds (the hold scenario holds and resumes before hanging up).
        var caller = await Sipp.CallAsync(daemon, "call_uac_hold.xml", "alice", "alice-secret-pw", "101");
        Assert.True(caller.ExitCode == 0, caller.ToString() + daemon.Output);
        await watcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
        var log = await seen;
        Assert.True(watcher.ExitCode == XmppClient.Done, log);
        var ringing = log.IndexOf($"telephony: {bobJid}/phone state=ringing", StringComparison.Ordinal);
        var onThePhone = log.IndexOf($"telephony: {bobJid}/phone state=on-the-phone", StringComparison.Ordinal);
        Assert.True(ringing >= 0 && onThePhone > ringing, $"expected ringing, then on the phone:\n{log}");

        // Once the call is over, the phone is available again.
        var after = await XmppClient.RunAsync(daemon, "alice", "alice-secret-pw", "telephony", bobJid, "available", "15");
        Assert.True(after.ExitCode == XmppClient.Done, after.Output + after.Error);
    }
}
