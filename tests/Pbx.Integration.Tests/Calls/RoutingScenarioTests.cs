using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pbx.Integration.Tests.Infrastructure;
using Account = Pbx.Integration.Tests.Infrastructure.PbxAccount;
using Xunit.Abstractions;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// End-to-end routing scenarios (issue #7 item 8): alice (100) calls through the daemon while sipp plays each device
/// (answers at once or after 2 s, rings until cancelled, busy, not registered). Routing settings are set through the
/// admin API as an admin would. Each scenario checks which phone rang at which second, measured on the devices' own
/// message traces (sipp's -trace_msg wall-clock timestamps) against the moment the caller sent its authenticated
/// INVITE, to ±0.5 s, and that the call journal records who rang and who answered.
/// </summary>
public sealed partial class RoutingScenarioTests(ITestOutputHelper log)
{

    private static readonly Account Alice = new("alice", "Alice Example", "100", "alice-secret-pw1");
    private static readonly Account Bob = new("bob", "Bob Example", "101", "bob-secret-pw-2");
    private static readonly Account Carol = new("carol", "Carol Example", "102", "carol-secret-pw3");
    private static readonly Account Dave = new("dave", "Dave Example", "103", "dave-secret-pw-4");

    private const string Answers = "call_uas_answer.xml";
    private const string AnswersAfter2s = "route_uas_answer_after_2s.xml";
    private const string RingsUntilCancelled = "call_uas_cancelled.xml";
    private const string IsBusy = "call_uas_busy.xml";
    private const string CallerAnswered = "call_uac_answer.xml";
    private const string CallerBusy = "call_uac_busy.xml";
    private const string CallerUnavailable = "call_uac_unavailable.xml";

    /// <summary>How far a ring, cancel or answer may be from the second it is due.</summary>
    private const double Tolerance = 0.5;

    /// <summary>The device callees stay up long enough for registering everyone plus the longest call (hunting, ~12 s).</summary>
    private static readonly TimeSpan DeviceLimit = TimeSpan.FromSeconds(60);

    // 1. Always redirection
    [Fact]
    public async Task Always_redirection_rings_the_destination_at_once_and_never_the_redirecting_user()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "redirection", """{"always": {"number": "102"}}""");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var carol = await DeviceAsync(daemon, Carol, Answers);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var carolSide = await FinishedAsync(daemon, carol, "carol");
        await AssertNeverRangAsync(bob, "bob", "an always redirection must not ring the redirecting user");

        var t0 = CallerInviteSent(caller);
        AssertAt("carol's INVITE (always redirection: at once)", t0, Received(carolSide, "carol", "INVITE"), 0);
        Assert.Contains($"invite from {Alice.Number} ", carolSide.Log);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number, remoteName: Carol.Name);
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Bob.Number, Alice.Number);
        // Bob's phone never rang, but the call was his: his journal shows it as redirected.
        await AssertJournalAsync(daemon, Bob, "Incoming", "Redirected", Bob.Number, Alice.Number, causeContains: "redirected to carol");
    }

    // 2. Busy redirection
    [Fact]
    public async Task Busy_redirection_sends_the_call_on_at_once_when_the_phone_answers_486()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "redirection", """{"busy": {"number": "102"}}""");
        await using var bob = await DeviceAsync(daemon, Bob, IsBusy);
        await using var carol = await DeviceAsync(daemon, Carol, Answers);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var bobSide = await FinishedAsync(daemon, bob, "bob");
        var carolSide = await FinishedAsync(daemon, carol, "carol");

        var t0 = CallerInviteSent(caller);
        AssertAt("bob's INVITE", t0, Received(bobSide, "bob", "INVITE"), 0);
        AssertAt("carol's INVITE (busy redirection: at once)", t0, Received(carolSide, "carol", "INVITE"), 0);
        Assert.True(Received(carolSide, "carol", "INVITE") >= Sent(bobSide, "bob", "SIP/2.0 486"), "carol rang before bob said busy");

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number, remoteName: Carol.Name);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Bob.Number, Alice.Number, causeContains: "answered by carol");
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Bob.Number, Alice.Number);
    }

    // 3. Timeout redirection
    [Fact]
    public async Task Timeout_redirection_rings_the_user_5_seconds_then_the_destination()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "redirection", """{"timeout": {"destination": {"number": "102"}, "seconds": 5}}""");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var carol = await DeviceAsync(daemon, Carol, AnswersAfter2s);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var bobSide = await FinishedAsync(daemon, bob, "bob");
        var carolSide = await FinishedAsync(daemon, carol, "carol");

        var t0 = CallerInviteSent(caller);
        var bobInvite = Received(bobSide, "bob", "INVITE");
        AssertAt("bob's INVITE", t0, bobInvite, 0);
        AssertAt("the CANCEL to bob, after his INVITE (timeout 5 s)", bobInvite, Received(bobSide, "bob", "CANCEL"), 5);
        AssertAt("carol's INVITE (after bob's 5 s)", t0, Received(carolSide, "carol", "INVITE"), 5);
        AssertAt("the caller's 200 (carol answers 2 s after ringing)", t0, Received(caller, "alice", "SIP/2.0 200"), 7);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number, remoteName: Carol.Name);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Bob.Number, Alice.Number, causeContains: "answered by carol");
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Bob.Number, Alice.Number);
    }

    // 4. Timeout redirection, user unavailable
    [Fact]
    public async Task Timeout_redirection_takes_effect_at_once_when_nothing_of_the_user_is_registered()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "redirection", """{"timeout": {"destination": {"number": "102"}, "seconds": 5}}""");
        await using var carol = await DeviceAsync(daemon, Carol, Answers);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var carolSide = await FinishedAsync(daemon, carol, "carol");

        AssertAt("carol's INVITE (bob unregistered: at once)", CallerInviteSent(caller), Received(carolSide, "carol", "INVITE"), 0);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number, remoteName: Carol.Name);
        // Bob had a leg (with nothing to ring), so the call is in his journal as missed, answered by carol.
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Bob.Number, Alice.Number, causeContains: "answered by carol");
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Bob.Number, Alice.Number);
    }

    // 5a. DND with a timeout redirection
    [Fact]
    public async Task Dnd_with_a_timeout_redirection_sends_the_call_to_the_destination_at_once()
    {
        await using var daemon = await StartAsync();
        // Set the way an admin does on the PBX machine: pbxctl.
        await PbxCtlAsync(daemon, "\"seconds\":20", "redirect", Bob.Login, "timeout", "--to", Carol.Number, "--after", "20");
        await PbxCtlAsync(daemon, "\"active\":true", "dnd", Bob.Login, "on");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var carol = await DeviceAsync(daemon, Carol, Answers);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var carolSide = await FinishedAsync(daemon, carol, "carol");
        await AssertNeverRangAsync(bob, "bob", "DND must not ring the user");

        AssertAt("carol's INVITE (DND: timeout redirection at once, not after 20 s)", CallerInviteSent(caller),
            Received(carolSide, "carol", "INVITE"), 0);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number, remoteName: Carol.Name);
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Bob.Number, Alice.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Redirected", Bob.Number, Alice.Number, causeContains: "redirected to carol");
    }

    // 5b. DND without redirection
    [Fact]
    public async Task Dnd_without_a_redirection_gives_the_caller_busy()
    {
        await using var daemon = await StartAsync();
        await PbxCtlAsync(daemon, "\"active\":true", "dnd", Bob.Login, "on");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);

        var caller = await CallAsync(daemon, CallerBusy, Bob.Number);
        await AssertNeverRangAsync(bob, "bob", "DND must not ring the user");

        AssertAt("the caller's 486 (DND: at once)", CallerInviteSent(caller), Received(caller, "alice", "SIP/2.0 486"), 0);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Busy", Alice.Number, Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Busy", Bob.Number, Alice.Number, causeContains: "DND");
    }

    // 6. Call hunting through three members
    [Fact]
    public async Task Hunting_group_rings_three_members_in_order_5_seconds_each_and_the_third_answers()
    {
        await using var daemon = await StartAsync();
        await CreateGroupAsync(daemon, "sales", "Hunting", "200", Bob, Carol, Dave);
        await SetRoutingAsync(daemon, "groups", "sales", "hunting", """{"memberRingTime": "00:00:05"}""");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var carol = await DeviceAsync(daemon, Carol, RingsUntilCancelled);
        await using var dave = await DeviceAsync(daemon, Dave, AnswersAfter2s);

        var caller = await CallAsync(daemon, CallerAnswered, "200", TimeSpan.FromSeconds(30));
        var bobSide = await FinishedAsync(daemon, bob, "bob");
        var carolSide = await FinishedAsync(daemon, carol, "carol");
        var daveSide = await FinishedAsync(daemon, dave, "dave");

        var t0 = CallerInviteSent(caller);
        AssertAt("bob's INVITE (member 1)", t0, Received(bobSide, "bob", "INVITE"), 0);
        AssertAt("the CANCEL to bob", t0, Received(bobSide, "bob", "CANCEL"), 5);
        AssertAt("carol's INVITE (member 2)", t0, Received(carolSide, "carol", "INVITE"), 5);
        AssertAt("the CANCEL to carol", t0, Received(carolSide, "carol", "CANCEL"), 10);
        AssertAt("dave's INVITE (member 3)", t0, Received(daveSide, "dave", "INVITE"), 10);
        AssertAt("the caller's 200 (dave answers 2 s after ringing)", t0, Received(caller, "alice", "SIP/2.0 200"), 12);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, "200", remoteName: Dave.Name);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", "200", Alice.Number, causeContains: "answered by dave");
        await AssertJournalAsync(daemon, Carol, "Incoming", "Missed", "200", Alice.Number, causeContains: "answered by dave");
        await AssertJournalAsync(daemon, Dave, "Incoming", "Answered", "200", Alice.Number);
    }

    // 7. Parallel group
    [Fact]
    public async Task Parallel_group_rings_every_member_at_once_and_cancels_the_others_when_one_answers()
    {
        await using var daemon = await StartAsync();
        await CreateGroupAsync(daemon, "support", "Parallel", "201", Bob, Carol, Dave);
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var carol = await DeviceAsync(daemon, Carol, AnswersAfter2s);
        await using var dave = await DeviceAsync(daemon, Dave, RingsUntilCancelled);

        var caller = await CallAsync(daemon, CallerAnswered, "201");
        var bobSide = await FinishedAsync(daemon, bob, "bob");
        var carolSide = await FinishedAsync(daemon, carol, "carol");
        var daveSide = await FinishedAsync(daemon, dave, "dave");

        var t0 = CallerInviteSent(caller);
        AssertAt("bob's INVITE", t0, Received(bobSide, "bob", "INVITE"), 0);
        AssertAt("carol's INVITE", t0, Received(carolSide, "carol", "INVITE"), 0);
        AssertAt("dave's INVITE", t0, Received(daveSide, "dave", "INVITE"), 0);
        var answered = Sent(carolSide, "carol", "SIP/2.0 200");
        AssertAt("carol's 200 (answers after 2 s)", t0, answered, 2);
        AssertAt("the CANCEL to bob, after carol's 200", answered, Received(bobSide, "bob", "CANCEL"), 0);
        AssertAt("the CANCEL to dave, after carol's 200", answered, Received(daveSide, "dave", "CANCEL"), 0);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, "201", remoteName: Carol.Name);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", "201", Alice.Number, causeContains: "answered by carol");
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", "201", Alice.Number);
        await AssertJournalAsync(daemon, Dave, "Incoming", "Missed", "201", Alice.Number, causeContains: "answered by carol");
    }

    // 8. Blacklist
    [Fact]
    public async Task A_blacklisted_caller_gets_busy_and_the_phone_does_not_ring()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "blacklist", """{"numbers": ["100"], "prefixes": []}""");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);

        var caller = await CallAsync(daemon, CallerBusy, Bob.Number);
        await AssertNeverRangAsync(bob, "bob", "a blacklisted caller must not ring the user");

        AssertAt("the caller's 486 (blacklist: at once)", CallerInviteSent(caller), Received(caller, "alice", "SIP/2.0 486"), 0);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Busy", Alice.Number, Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Busy", Bob.Number, Alice.Number, causeContains: "blacklisted");
    }

    // 9. Auto-pilot, mobile client unreachable, no cell leg (the daemon cannot yet tell a mobile client from the
    // registrations, so it is always unreachable; the cell leg needs trunks and the voicemail end needs server media).
    [Fact]
    public async Task Auto_pilot_without_a_reachable_mobile_client_rings_the_desk_for_its_time_then_ends_at_voicemail()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "autopilot",
            """{"preferred": "AutoPilot", "times": {"mobileClient": "00:00:08", "desk": "00:00:05", "cell": "00:00:08"}}""");
        await using var bob = await DeviceAsync(daemon, Bob, RingsUntilCancelled);

        var caller = await CallAsync(daemon, CallerUnavailable, Bob.Number);
        var bobSide = await FinishedAsync(daemon, bob, "bob");

        var t0 = CallerInviteSent(caller);
        AssertAt("bob's desk INVITE (mobile client unreachable: desk first)", t0, Received(bobSide, "bob", "INVITE"), 0);
        AssertAt("the CANCEL to bob's desk (desk time 5 s)", t0, Received(bobSide, "bob", "CANCEL"), 5);
        // Voicemail is not available yet: the daemon ends the call with 480 "No Voicemail".
        AssertAt("the caller's 480 (voicemail after the desk)", t0, Received(caller, "alice", "SIP/2.0 480"), 5);
        Assert.Contains("No Voicemail", caller.Messages);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Failed", Alice.Number, Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Bob.Number, Alice.Number, causeContains: "mailbox bob");
    }

    [Fact]
    public async Task Auto_pilot_with_a_reachable_mobile_client_rings_it_first_then_the_desk()
    {
        await using var daemon = await StartAsync();
        await SetRoutingAsync(daemon, "users", Bob.Login, "autopilot",
            """{"preferred": "AutoPilot", "times": {"mobileClient": "00:00:04", "desk": "00:00:05", "cell": "00:00:08"}}""");
        await using var mobile = await DeviceAsync(daemon, Bob, RingsUntilCancelled, "register_mobile.xml");
        await using var desk = await DeviceAsync(daemon, Bob, Answers);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var mobileSide = await FinishedAsync(daemon, mobile, "bob's mobile client");
        var deskSide = await FinishedAsync(daemon, desk, "bob's desk phone");

        var t0 = CallerInviteSent(caller);
        AssertAt("the mobile client's INVITE (reachable: first)", t0, Received(mobileSide, "bob's mobile client", "INVITE"), 0);
        AssertAt("the CANCEL to the mobile client (its time 4 s)", t0, Received(mobileSide, "bob's mobile client", "CANCEL"), 4);
        AssertAt("the desk phone's INVITE (after the mobile client)", t0, Received(deskSide, "bob's desk phone", "INVITE"), 4);

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Bob.Number, Alice.Number);
    }

    [Fact]
    public async Task Ifmc_rings_the_cell_through_the_trunk_after_its_delay_and_connects_only_after_the_keypress()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(config => config["Trunks"] = new JsonArray
        {
            new JsonObject
            {
                ["Name"] = "provider", ["Host"] = "127.0.0.1", ["Port"] = providerPort, ["Username"] = "pbxaccount",
                ["Password"] = "provider-pw", ["Register"] = false, ["CountryCode"] = "49",
            },
        });
        await SetRoutingAsync(daemon, "users", Bob.Login, "ifmc",
            """{"configurations": [{"e164": "+4917012345678", "delay": "00:00:02", "confirmByKeypress": true}]}""");
        await using var desk = await DeviceAsync(daemon, Bob, RingsUntilCancelled);
        await using var cell = await Sipp.AnswerAsync("trunk_provider_confirm.xml", providerPort, DeviceLimit);

        var caller = await CallAsync(daemon, CallerAnswered, Bob.Number);
        var deskSide = await FinishedAsync(daemon, desk, "bob's desk");
        var cellSide = await FinishedAsync(daemon, cell, "bob's cell (provider)");

        var t0 = CallerInviteSent(caller);
        AssertAt("bob's desk INVITE (at once)", t0, Received(deskSide, "bob's desk", "INVITE"), 0);
        AssertAt("the cell's INVITE through the trunk (iFMC delay 2 s)", t0, Received(cellSide, "bob's cell", "INVITE"), 2);
        Assert.Contains("invite to +4917012345678 ", cellSide.Log);
        // Answering is not enough: the call is connected only once the cell's keypress (INFO Signal=1) arrived.
        var keypress = Sent(cellSide, "bob's cell", "INFO");
        var connected = Received(caller, "alice", "SIP/2.0 200");
        Assert.True(connected >= keypress, $"alice was connected at {connected:HH:mm:ss.fff}, before the keypress at {keypress:HH:mm:ss.fff}");
        Assert.True(Received(deskSide, "bob's desk", "CANCEL") >= keypress, "the desk stopped ringing before the cell confirmed");

        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Alice.Number, Bob.Number);
        // The call was bob's, answered on his cell: his journal shows it answered, not missed on the desk.
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Bob.Number, Alice.Number);
    }

    // ---- daemon and settings

    private static Task<DaemonProcess> StartAsync(Action<JsonObject>? adjust = null) => PbxAccounts.StartWithAsync([Alice, Bob, Carol, Dave], adjust);

    /// <summary>PUT /api/{users|groups}/{id}/routing/{feature} with the feature's JSON settings.</summary>
    private static async Task SetRoutingAsync(DaemonProcess daemon, string kind, string id, string feature, string json)
    {
        using var admin = daemon.AdminClient();
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await admin.PutAsync($"/api/{kind}/{id}/routing/{feature}", body);
        Assert.True(response.IsSuccessStatusCode, $"setting {feature} of {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task PbxCtlAsync(DaemonProcess daemon, string expected, params string[] args)
    {
        var result = await daemon.PbxCtlAsync(args);
        Assert.True(result.ExitCode == 0 && result.Output.Contains(expected, StringComparison.Ordinal),
            $"pbxctl {string.Join(' ', args)}: exit {result.ExitCode}, '{expected}' expected:\n{result.Output}\n{result.Error}");
    }

    private static async Task CreateGroupAsync(DaemonProcess daemon, string name, string ringMode, string number, params Account[] members)
    {
        using var admin = daemon.AdminClient();
        var group = await admin.PostAsJsonAsync("/api/groups", new { name, ringMode, members = members.Select(m => m.Login).ToArray() });
        Assert.True(group.IsSuccessStatusCode, $"creating group {name}: {(int)group.StatusCode} {await group.Content.ReadAsStringAsync()}");
        var assigned = await admin.PostAsJsonAsync("/api/numbers", new { number, group = name });
        Assert.True(assigned.IsSuccessStatusCode, $"numbering group {name}: {(int)assigned.StatusCode} {await assigned.Content.ReadAsStringAsync()}");
    }

    // ---- devices and the caller

    /// <summary>Registers the account from a fresh port and starts the device scenario on that same port.</summary>
    /// <param name="registration">register_mobile.xml registers as a mobile client (+sip.mobility="mobile").</param>
    private static async Task<Sipp.Callee> DeviceAsync(DaemonProcess daemon, Account account, string scenario, string registration = "register_digest.xml")
    {
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, registration, account.Login, account.Password, expires: 300, localPort: port);
        AssertPassed(registered, daemon, $"REGISTER of {account.Login}");
        return await Sipp.AnswerAsync(scenario, port, DeviceLimit);
    }

    private static async Task<Sipp.Result> CallAsync(DaemonProcess daemon, string scenario, string number, TimeSpan? limit = null)
    {
        var caller = await Sipp.CallAsync(daemon, scenario, Alice.Login, Alice.Password, number, limit);
        AssertPassed(caller, daemon, $"caller (alice dialling {number}, {scenario})");
        return caller;
    }

    /// <summary>Once the caller is done, a device that took part has a few seconds to finish its side.</summary>
    private static async Task<Sipp.Result> FinishedAsync(DaemonProcess daemon, Sipp.Callee device, string who)
    {
        var result = await device.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(result, daemon, $"{who}'s phone");
        return result;
    }

    /// <summary>A device that must not have rung: stopped a moment after the call, its trace must hold no INVITE.</summary>
    private static async Task AssertNeverRangAsync(Sipp.Callee device, string who, string why)
    {
        var result = await device.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.False(Trace(result.Messages).Any(m => m.Received && m.StartLine.StartsWith("INVITE ", StringComparison.Ordinal)),
            $"{who}'s phone rang ({why}):\n{result.Messages}");
    }

    // ---- timing, from sipp's message traces

    /// <summary>One message in a sipp -trace_msg log: its wall-clock time, direction and start line.</summary>
    private sealed record Traced(DateTime At, bool Received, string StartLine, string Text);

    /// <summary>Parses "----- 2026-12-07 07:17:30.435398\nUDP message sent (514 bytes):\n\nINVITE sip:…" blocks.</summary>
    private static List<Traced> Trace(string messages)
    {
        var traced = new List<Traced>();
        foreach (Match block in TraceBlock().Matches(messages))
        {
            var at = DateTime.ParseExact(block.Groups["at"].Value, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            traced.Add(new Traced(at, block.Groups["dir"].Value == "received", block.Groups["start"].Value.Trim(), block.Groups["text"].Value));
        }
        return traced;
    }

    [GeneratedRegex(@"(?m)^-{10,} (?<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\s*\n\w+ message (?<dir>sent|received)[^\n]*\n\s*(?<start>[^\r\n]*)(?<text>(?:(?!^-{10,} \d{4}-)[\s\S])*)")]
    private static partial Regex TraceBlock();

    /// <summary>When the caller sent its INVITE with credentials (the first one only collects the 407): time zero.</summary>
    private static DateTime CallerInviteSent(Sipp.Result caller) =>
        Trace(caller.Messages).FirstOrDefault(m => !m.Received && m.StartLine.StartsWith("INVITE ", StringComparison.Ordinal)
            && m.Text.Contains("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))?.At
        ?? throw new Xunit.Sdk.XunitException($"the caller's trace has no INVITE with credentials:\n{caller.Messages}");

    /// <summary>When the device first received a message starting with <paramref name="start"/> (retransmissions ignored).</summary>
    private static DateTime Received(Sipp.Result device, string who, string start) => First(device, who, received: true, start);

    private static DateTime Sent(Sipp.Result device, string who, string start) => First(device, who, received: false, start);

    private static DateTime First(Sipp.Result device, string who, bool received, string start) =>
        Trace(device.Messages).FirstOrDefault(m => m.Received == received && m.StartLine.StartsWith(start, StringComparison.Ordinal))?.At
        ?? throw new Xunit.Sdk.XunitException($"{who}'s trace has no {(received ? "received" : "sent")} '{start}':\n{device.Messages}");

    private void AssertAt(string what, DateTime reference, DateTime at, double dueSeconds)
    {
        var seconds = (at - reference).TotalSeconds;
        log.WriteLine($"{what}: {seconds.ToString("F3", CultureInfo.InvariantCulture)} s (due {dueSeconds} s)");
        Assert.True(Math.Abs(seconds - dueSeconds) <= Tolerance,
            $"{what} came at {seconds.ToString("F3", CultureInfo.InvariantCulture)} s; due at {dueSeconds} ± {Tolerance} s");
    }

    // ---- the call journal

    /// <summary>
    /// The account's journal has exactly one row, with this direction, result and numbers (localNumber is the number
    /// dialled, also for a redirect destination or a group member). Rows are written after the call ends: poll briefly.
    /// </summary>
    private static async Task AssertJournalAsync(DaemonProcess daemon, Account account, string direction, string result,
        string localNumber, string remoteNumber, string? causeContains = null, string? remoteName = null)
    {
        var rows = await JournalAsync(daemon, account, until: rows => rows.Count > 0);
        var row = Assert.Single(rows)!;
        var shown = row.ToJsonString();
        Assert.True(account.Login == row["userLoginId"]?.GetValue<string>(), shown);
        Assert.True(direction == row["direction"]?.GetValue<string>(), $"{account.Login}: direction {direction} expected: {shown}");
        Assert.True(result == row["result"]?.GetValue<string>(), $"{account.Login}: result {result} expected: {shown}");
        Assert.True(localNumber == row["localNumber"]?.GetValue<string>(), $"{account.Login}: local number {localNumber} expected: {shown}");
        Assert.True(remoteNumber == row["remoteNumber"]?.GetValue<string>(), $"{account.Login}: remote number {remoteNumber} expected: {shown}");
        Assert.True((result == "Answered") == (row["answeredAt"] is not null), $"{account.Login}: answeredAt set only for the answering party: {shown}");
        if (remoteName is not null)
            Assert.True(remoteName == row["remoteName"]?.GetValue<string>(), $"{account.Login}: remote name {remoteName} (who answered) expected: {shown}");
        if (causeContains is not null)
            Assert.True(row["cause"]?.GetValue<string>()?.Contains(causeContains, StringComparison.Ordinal) == true,
                $"{account.Login}: cause containing '{causeContains}' expected: {shown}");
    }

    private static async Task<JsonArray> JournalAsync(DaemonProcess daemon, Account account, Func<JsonArray, bool> until)
    {
        using var admin = daemon.AdminClient();
        JsonArray rows = [];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            rows = (await admin.GetFromJsonAsync<JsonArray>($"/api/journal/calls?user={account.Login}"))!;
            if (until(rows)) break;
            await Task.Delay(200);
        }
        return rows;
    }

    private static void AssertPassed(Sipp.Result result, DaemonProcess daemon, string who)
    {
        if (result.ExitCode == 0) return;
        var tail = string.Join('\n', daemon.Output.Split('\n').TakeLast(60));
        Assert.Fail($"{who}: {result}\n--- sipp log\n{result.Log}\n--- daemon output (last 60 lines)\n{tail}\n{daemon.Error}");
    }
}
