using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Call move (auto-pilot / ONS): bob's side of a call with alice goes from his desk phone to his mobile client while
/// alice stays connected, pushed through the admin API or pulled by dialling the pull code from the mobile.
/// </summary>
public sealed class CallMoveTests
{
    private const string AlicePassword = "alice-secret-pw1";
    private const string BobPassword = "bob-secret-pw-2";

    private static async Task<DaemonProcess> StartAsync()
    {
        var daemon = DaemonProcess.Create(adjust: config => config["Sip"]!["QualifyIntervalSeconds"] = 3600);
        try
        {
            await daemon.StartAndWaitReadyAsync();
            using var admin = daemon.AdminClient();
            foreach (var (login, password, number) in new[] { ("alice", AlicePassword, "100"), ("bob", BobPassword, "101") })
            {
                (await admin.PostAsJsonAsync("/api/users", new { loginId = login, displayName = login, password })).EnsureSuccessStatusCode();
                (await admin.PostAsJsonAsync("/api/numbers", new { number, user = login })).EnsureSuccessStatusCode();
            }
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    private static async Task<Sipp.Callee> DeviceAsync(DaemonProcess daemon, string registration, string scenario)
    {
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, registration, "bob", BobPassword, expires: 300, localPort: port);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        return await Sipp.AnswerAsync(scenario, port, TimeSpan.FromSeconds(30));
    }

    /// <summary>The call's id once it is connected.</summary>
    private static async Task<string> ConnectedCallAsync(DaemonProcess daemon)
    {
        using var admin = daemon.AdminClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var calls = (await admin.GetFromJsonAsync<JsonNode>("/api/calls"))!["calls"]!.AsArray();
            if (calls.FirstOrDefault(c => c!["phase"]!.GetValue<string>() == "Connected") is { } call) return call["callId"]!.GetValue<string>();
            await Task.Delay(100);
        }
        throw new TimeoutException("no call got connected:\n" + daemon.Output);
    }

    [Fact]
    public async Task A_call_pushed_to_the_mobile_client_leaves_the_desk_and_the_caller_stays_connected()
    {
        await using var daemon = await StartAsync();
        await using var desk = await DeviceAsync(daemon, "register_digest.xml", "call_uas_answer.xml");
        var caller = Sipp.CallAsync(daemon, "call_uac_long.xml", "alice", AlicePassword, "101");
        var callId = await ConnectedCallAsync(daemon);
        await using var mobile = await DeviceAsync(daemon, "register_mobile.xml", "call_uas_answer.xml");

        var listed = await daemon.PbxCtlAsync("calls", "list");
        Assert.True(listed.ExitCode == 0 && listed.Output.Contains(callId, StringComparison.Ordinal), listed.ToString());
        var moved = await daemon.PbxCtlAsync("calls", "move", callId, "--user", "bob", "--device", "MobileClient");
        Assert.True(moved.ExitCode == 0, moved + "\n" + daemon.Output);

        var deskSide = await desk.WaitAsync();
        var alice = await caller;
        var mobileSide = await mobile.WaitAsync();
        Assert.True(alice.ExitCode == 0, alice.ToString());
        Assert.True(deskSide.ExitCode == 0, "the desk phone gets a BYE when the call leaves it: " + deskSide);
        // The mobile got the call with alice's number, and alice's hang-up reached it, not the desk.
        Assert.True(mobileSide.ExitCode == 0, mobileSide.ToString());
        Assert.Contains("invite from 100 ", mobileSide.Log);
        Assert.Contains("BYE sip:", mobileSide.Messages);
    }

    [Fact]
    public async Task Dialling_the_pull_code_from_the_mobile_takes_the_call_over_from_the_desk()
    {
        await using var daemon = await StartAsync();
        await using var desk = await DeviceAsync(daemon, "register_digest.xml", "call_uas_answer.xml");
        var caller = Sipp.CallAsync(daemon, "call_uac_long.xml", "alice", AlicePassword, "101");
        await ConnectedCallAsync(daemon);

        // bob's mobile dials *77 as bob: it is answered at once and later gets alice's BYE.
        var pulled = await Sipp.CallAsync(daemon, "call_uac_pull.xml", "bob", BobPassword, "*77");
        var deskSide = await desk.WaitAsync();
        var alice = await caller;

        Assert.True(pulled.ExitCode == 0, "the pulling device is answered and later gets the caller's BYE: " + pulled + daemon.Output);
        Assert.True(deskSide.ExitCode == 0, "the desk phone gets a BYE when the call is pulled away: " + deskSide);
        Assert.True(alice.ExitCode == 0, alice.ToString());
    }
}
