using System.Net.Http.Json;
using Pbx.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Two real softphones registered to the daemon call each other through it (the B2BUA) and hear each other:
/// alice (100) plays a 600 Hz tone, bob (101) a 1400 Hz tone, each records what it hears.
/// </summary>
public sealed class BaresipCallTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Alice_calls_bob_through_the_daemon_both_hear_each_other_and_bob_gets_alices_dtmf()
    {
        await using var daemon = await StartDaemonWithAliceAndBobAsync();
        await using var phones = await RegisterBothAsync(daemon);

        await ConnectAsync(daemon, phones);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var mark = phones.B.OutputMark;
        await phones.A.SendDtmfAsync("5");
        await WithDaemonOutput(daemon, phones.B.WaitForDtmfAsync('5', TwoPhones.Step, mark));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await WithDaemonOutput(daemon, phones.HangUpAsync());

        log.WriteLine(phones.Report());
        phones.AssertEachHeardTheOther(Context(daemon));
    }

    [Fact]
    public async Task A_held_party_hears_music_on_hold_from_the_pbx_and_the_call_resumes()
    {
        await using var daemon = await StartDaemonWithAliceAndBobAsync();
        await using var phones = await RegisterBothAsync(daemon);

        await ConnectAsync(daemon, phones);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Alice holds: the PBX answers her re-INVITE itself and plays music on hold to bob, who is not re-INVITEd.
        var markB = phones.B.OutputMark;
        var markA = phones.A.OutputMark;
        await phones.A.HoldAsync();
        await WithDaemonOutput(daemon, phones.A.WaitForOutputAsync("call: hold ", TwoPhones.Step, markA));
        await WithDaemonOutput(daemon, WaitForDaemonAsync(daemon, "hold=True, music on hold playing: True"));
        await Task.Delay(TimeSpan.FromSeconds(3));

        markA = phones.A.OutputMark;
        await phones.A.ResumeAsync();
        await WithDaemonOutput(daemon, phones.A.WaitForOutputAsync("call: resume ", TwoPhones.Step, markA));
        await WithDaemonOutput(daemon, WaitForDaemonAsync(daemon, "hold=False, music on hold playing: False"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("got re-INVITE", string.Join('\n', phones.B.Output.Split('\n').Skip(markB)));
        Assert.DoesNotContain(" terminated (duration:", phones.A.Output);
        Assert.DoesNotContain(" terminated (duration:", phones.B.Output);

        await WithDaemonOutput(daemon, phones.HangUpAsync());
        log.WriteLine(phones.Report());
        // Bob kept one stream all along: alice's tone before and after the hold, music (neither test tone) during it.
        // (Alice's own recording ends at her hold: baresip 1.0 tears down its receive filters then, whatever the PBX does.)
        phones.AssertEachHeardTheOther(Context(daemon));
        var music = ToneAudio.CountOtherSoundWindows(phones.B.ReceivedAudio(), ToneAudio.ToneA, ToneAudio.ToneB);
        Assert.True(music >= 10, $"bob heard only {music} windows of music on hold during a 3 s hold: {phones.Report()}\n{Context(daemon)}");
    }

    private static async Task WaitForDaemonAsync(DaemonProcess daemon, string fragment)
    {
        var deadline = DateTime.UtcNow + TwoPhones.Step;
        while (!daemon.Output.Contains(fragment, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the daemon did not log \"{fragment}\"");
            await Task.Delay(100);
        }
    }

    private static async Task<DaemonProcess> StartDaemonWithAliceAndBobAsync()
    {
        var daemon = DaemonProcess.Create();
        try
        {
            await daemon.StartAndWaitReadyAsync();
            using var admin = daemon.AdminClient();
            foreach (var (user, number) in new[] { ("alice", "100"), ("bob", "101") })
            {
                (await admin.PostAsJsonAsync("/api/users", new { loginId = user, displayName = user, password = $"{user}-sip-secret" })).EnsureSuccessStatusCode();
                var assigned = await admin.PostAsJsonAsync("/api/numbers", new { number, user });
                Assert.True(assigned.IsSuccessStatusCode, $"assigning {number} to {user}: {(int)assigned.StatusCode} {await assigned.Content.ReadAsStringAsync()}");
            }
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>alice is phone A, bob phone B, both over UDP; returns once pbxctl lists both as reachable.</summary>
    private static async Task<TwoPhones> RegisterBothAsync(DaemonProcess daemon)
    {
        var phones = TwoPhones.Start((name, options) =>
            Baresip.Register(daemon, name == "A" ? "alice" : "bob", name == "A" ? "alice-sip-secret" : "bob-sip-secret", "udp", options));
        try
        {
            string registrations;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            do
            {
                await Task.Delay(500);
                registrations = (await daemon.PbxCtlAsync("registrations")).Output;
            }
            while (!(Reachable(registrations, "alice") && Reachable(registrations, "bob")) && DateTime.UtcNow < deadline);
            Assert.True(Reachable(registrations, "alice") && Reachable(registrations, "bob"),
                $"{registrations}\n{Context(daemon)}\n--- alice ---\n{phones.A.Output}\n--- bob ---\n{phones.B.Output}");
            return phones;
        }
        catch
        {
            await phones.DisposeAsync();
            throw;
        }
    }

    private static bool Reachable(string registrations, string user) =>
        registrations.Split('\n').Any(l => l.StartsWith(user + " ", StringComparison.Ordinal) && l.Contains("REACHABLE"));

    private static Task ConnectAsync(DaemonProcess daemon, TwoPhones phones) =>
        WithDaemonOutput(daemon, phones.ConnectAsync($"sip:101@127.0.0.1:{daemon.SipPort}"));

    /// <summary>A step that times out shows the daemon's side too, not only the phone's.</summary>
    private static async Task WithDaemonOutput(DaemonProcess daemon, Task step)
    {
        try { await step; }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"{ex.Message}\n{Context(daemon)}", ex);
        }
    }

    private static string Context(DaemonProcess daemon) => $"--- daemon ---\n{daemon.Output}\n{daemon.Error}";
}
