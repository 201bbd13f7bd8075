using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pbx.Integration.Tests.Infrastructure;
using Account = Pbx.Integration.Tests.Infrastructure.PbxAccount;
using Xunit.Abstractions;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Transfers through the B2BUA driven by sipp: alice (100) calls bob (101), and bob, the callee, transfers her with a
/// REFER in his dialog with the PBX. Blind (RFC 3515): the PBX rings carol (102) with alice's number while alice hears
/// ringback, and reports progress to bob in sipfrag NOTIFYs; no answer within Calls:TransferRecallSeconds gives the
/// call back to bob (or rings bob's phones again when he already hung up). Attended (RFC 3891): bob's own second call
/// to carol is named by Replaces, carol is re-INVITEd into alice's call and both of bob's dialogs end.
/// </summary>
public sealed partial class TransferTests(ITestOutputHelper output)
{

    private static readonly Account Alice = new("alice", "Alice Example", "100", "alice-secret-pw1");
    private static readonly Account Bob = new("bob", "Bob Example", "101", "bob-secret-pw-2");
    private static readonly Account Carol = new("carol", "Carol Example", "102", "carol-secret-pw3");

    private const int RecallSeconds = 5;

    private static Task<DaemonProcess> StartAsync() => PbxAccounts.StartWithAsync([Alice, Bob, Carol], config => config["Calls"] = new JsonObject { ["TransferRecallSeconds"] = RecallSeconds });

    /// <summary>Registers the account from a fresh port and starts the callee scenario on that same port.</summary>
    private static async Task<Sipp.Callee> RegisterAndAnswerAsync(DaemonProcess daemon, Account account, string scenario, params string[] extraArgs)
    {
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", account.Login, account.Password, expires: 300, localPort: port);
        AssertPassed(registered, daemon, $"REGISTER of {account.Login}");
        return await Sipp.AnswerAsync(scenario, port, extraArgs: extraArgs);
    }

    /// <summary>The transferrer's scenario variables: the number it refers to and the PBX's address for the Refer-To.</summary>
    private static string[] Referring(DaemonProcess daemon, Account target, params string[] more) =>
        ["-set", "target", target.Number, "-set", "pbx", $"127.0.0.1:{daemon.SipPort}", .. more];

    [Fact]
    public async Task A_blind_transfer_connects_the_caller_to_the_target_and_reports_it_to_the_transferrer()
    {
        await using var daemon = await StartAsync();
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_waits.xml", Referring(daemon, Carol));
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "call_uas_answer.xml");

        // Alice talks 5 s and hangs up: by then she is connected to carol, so carol gets the BYE.
        var caller = await Sipp.CallAsync(daemon, "xfer_uac_hangs_up_later.xml", Alice.Login, Alice.Password, Bob.Number);
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");
        var carol = await target.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(carol, daemon, "transfer target");

        Assert.Contains("refer answered 202", bob.Log);
        AssertNotify(bob.Log, "first", "active", "SIP/2.0 100 Trying");
        AssertNotify(bob.Log, "final", "terminated", "SIP/2.0 200 OK");
        Assert.Contains("bye answered 200", bob.Log);

        // Carol is rung with alice's number and our relay port of bob's side (the port bob was offered).
        Assert.Equal(Alice.Number, InviteFrom(carol.Log));
        var bobOffer = Sdp(bob.Log, "offer");
        var carolOffer = Sdp(carol.Log, "offer");
        Assert.Equal("127.0.0.1", carolOffer.Address);
        Assert.Equal(bobOffer.Port, carolOffer.Port);
        Assert.Contains("BYE sip:", carol.Messages);

        AssertDaemonSaid(daemon, $"transfers to {Carol.Number}");
        AssertDaemonSaid(daemon, "transfer of leg B completed");
        await AssertEndedAsync(daemon, calls: 1);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
    }

    /// <summary>
    /// Carol took the call and talked with alice: her journal shows an answered incoming call from alice on her own number
    /// (not a missed call to bob's number).
    /// </summary>
    [Fact]
    public async Task The_target_of_a_completed_blind_transfer_is_journaled_as_answered()
    {
        await using var daemon = await StartAsync();
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_waits.xml", Referring(daemon, Carol));
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "call_uas_answer.xml");

        var caller = await Sipp.CallAsync(daemon, "xfer_uac_hangs_up_later.xml", Alice.Login, Alice.Password, Bob.Number);
        AssertPassed(caller, daemon, "caller");
        AssertPassed(await transferrer.WaitAsync(TimeSpan.FromSeconds(8)), daemon, "transferrer");
        AssertPassed(await target.WaitAsync(TimeSpan.FromSeconds(8)), daemon, "transfer target");
        await AssertEndedAsync(daemon, calls: 1);

        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
        await AssertJournalAsync(daemon, Carol, "Incoming", "Answered", Alice.Number);
    }

    [Fact]
    public async Task A_transferrer_that_hangs_up_right_after_202_leaves_the_caller_connected_to_the_target()
    {
        await using var daemon = await StartAsync();
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_hangs_up.xml", Referring(daemon, Carol, "-d", "1000"));
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "call_uas_answer.xml");

        var caller = await Sipp.CallAsync(daemon, "xfer_uac_hangs_up_later.xml", Alice.Login, Alice.Password, Bob.Number);
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");
        var carol = await target.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(carol, daemon, "transfer target");

        Assert.Contains("refer answered 202", bob.Log);
        AssertNotify(bob.Log, "first", "active", "SIP/2.0 100 Trying");
        Assert.Contains("bye answered 200", bob.Log);
        Assert.Equal(Alice.Number, InviteFrom(carol.Log));
        Assert.Equal(Sdp(bob.Log, "offer").Port, Sdp(carol.Log, "offer").Port);
        // Alice's BYE (after 5 s) reached carol: the call went on without bob.
        Assert.Contains("BYE sip:", carol.Messages);

        AssertDaemonSaid(daemon, "transfer of leg B completed");
        await AssertEndedAsync(daemon, calls: 1);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
    }

    [Fact]
    public async Task An_unanswered_blind_transfer_gives_the_call_back_to_the_transferrer_still_on_the_line()
    {
        await using var daemon = await StartAsync();
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_waits.xml", Referring(daemon, Carol));
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "call_uas_cancelled.xml");

        // Bob hangs up after the 480 NOTIFY: alice, still in her call with bob, gets the BYE.
        var clock = Stopwatch.StartNew();
        var caller = await Sipp.CallAsync(daemon, "call_uac_remote_bye.xml", Alice.Login, Alice.Password, Bob.Number, limit: TimeSpan.FromSeconds(25));
        var took = clock.Elapsed;
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");
        var carol = await target.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(carol, daemon, "transfer target");

        AssertNotify(bob.Log, "first", "active", "SIP/2.0 100 Trying");
        AssertNotify(bob.Log, "final", "terminated", "SIP/2.0 480 Temporarily Unavailable");
        Assert.Contains("bye answered 200", bob.Log);
        Assert.Equal(Alice.Number, InviteFrom(carol.Log));
        Assert.Contains("CANCEL sip:", carol.Messages);
        Assert.Contains("BYE sip:", caller.Messages);
        Assert.True(took >= TimeSpan.FromSeconds(RecallSeconds), $"the call ended after {took.TotalSeconds:0.0} s, before the recall time");

        AssertDaemonSaid(daemon, "the transferrer takes the call back");
        await AssertEndedAsync(daemon, calls: 1);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
    }

    [Fact]
    public async Task A_blind_transfer_to_a_user_without_a_registration_fails_at_once_and_the_call_goes_on()
    {
        await using var daemon = await StartAsync();
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_waits.xml", Referring(daemon, Carol));

        var clock = Stopwatch.StartNew();
        var caller = await Sipp.CallAsync(daemon, "call_uac_remote_bye.xml", Alice.Login, Alice.Password, Bob.Number);
        var took = clock.Elapsed;
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");

        AssertNotify(bob.Log, "final", "terminated", "SIP/2.0 480 Temporarily Unavailable");
        Assert.Contains("BYE sip:", caller.Messages);
        // Nothing could ring, so no recall time is waited for.
        Assert.True(took < TimeSpan.FromSeconds(RecallSeconds), $"the failed transfer took {took.TotalSeconds:0.0} s");

        AssertDaemonSaid(daemon, "the transferrer takes the call back");
        await AssertEndedAsync(daemon, calls: 1);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
    }

    [Fact]
    public async Task An_unanswered_blind_transfer_rings_the_transferrers_phones_again_when_it_hung_up()
    {
        await using var daemon = await StartAsync();
        // Bob's first phone transfers 3 s after answering and hangs up at once; his second phone registers only once the
        // call is connected (so the first ring does not fork to it) and answers the recall, then hangs up.
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_refer_hangs_up.xml", Referring(daemon, Carol, "-d", "3000"));
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "call_uas_cancelled.xml");

        var calling = Sipp.CallAsync(daemon, "call_uac_remote_bye.xml", Alice.Login, Alice.Password, Bob.Number, limit: TimeSpan.FromSeconds(30));
        await WaitForDaemonAsync(daemon, $"{Alice.Number} -> {Bob.Number} connected", TimeSpan.FromSeconds(10));
        await using var secondPhone = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_hangs_up.xml");
        var caller = await calling;
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");
        var carol = await target.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(carol, daemon, "transfer target");
        var recalled = await secondPhone.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(recalled, daemon, "bob's second phone");

        AssertNotify(bob.Log, "first", "active", "SIP/2.0 100 Trying");
        Assert.Contains("CANCEL sip:", carol.Messages);
        // The recall rings with alice's number and the relay port of bob's side; its BYE reached alice.
        Assert.Equal(Alice.Number, InviteFrom(recalled.Log));
        Assert.Equal(Sdp(bob.Log, "offer").Port, Sdp(recalled.Log, "offer").Port);
        Assert.Contains("BYE sip:", caller.Messages);

        AssertDaemonSaid(daemon, $"the target did not answer; recalling {Bob.Login}");
        await AssertEndedAsync(daemon, calls: 1);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
    }

    [Fact]
    public async Task An_attended_transfer_moves_the_other_party_into_the_call_and_ends_both_transferrer_dialogs()
    {
        await using var daemon = await StartAsync();
        await using var target = await RegisterAndAnswerAsync(daemon, Carol, "xfer_uas_moved.xml");
        // One phone, two calls: bob answers alice, calls carol himself (answering the 407), then REFERs alice with Replaces.
        await using var transferrer = await RegisterAndAnswerAsync(daemon, Bob, "xfer_uas_attended.xml",
            Referring(daemon, Carol, "-au", Bob.Login, "-ap", Bob.Password, "-auth_uri", $"{Carol.Number}@127.0.0.1:{daemon.SipPort}"));

        var caller = await Sipp.CallAsync(daemon, "xfer_uac_hangs_up_later.xml", Alice.Login, Alice.Password, Bob.Number);
        AssertPassed(caller, daemon, "caller");
        var bob = await transferrer.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(bob, daemon, "transferrer");
        var carol = await target.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(carol, daemon, "moved party");

        var call1 = Regex.Match(bob.Log, @"invite from \S+ call-id (?<id>\S+)").Groups["id"].Value;
        Assert.Contains("refer answered 202", bob.Log);
        AssertNotify(bob.Log, "first", "active", "SIP/2.0 100 Trying");
        AssertNotify(bob.Log, "final", "terminated", "SIP/2.0 200 OK");
        Assert.Matches($@"bye call2 call-id\s*x2///{call1}", bob.Log);
        Assert.Matches($@"bye call1 call-id\s*{call1}", bob.Log);

        // Carol first had bob's number and call 2's relay, then was re-INVITEd to call 1's relay port of bob's side.
        Assert.Equal(Bob.Number, InviteFrom(carol.Log));
        var moved = Sdp(carol.Log, "reinvite");
        Assert.Equal("127.0.0.1", moved.Address);
        Assert.Equal(Sdp(bob.Log, "offer").Port, moved.Port);
        Assert.NotEqual(Sdp(carol.Log, "offer").Port, moved.Port);
        // Alice's BYE reached carol.
        Assert.Matches(@"bye final call-id", carol.Log);

        AssertDaemonSaid(daemon, "transfer of leg B completed to the party of the replaced call");
        AssertDaemonSaid(daemon, "ended: transferred into call");
        await AssertEndedAsync(daemon, calls: 2);
        await LogJournalsAsync(daemon);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
    }

    private static void AssertNotify(string log, string which, string state, string fragment)
    {
        var match = Regex.Match(log, $@"notify {which} event=(?<event>[^\n]*?) state=(?<state>[^\n]*?) type=(?<type>[^\n]*?) frag=(?<frag>[^\n]*)");
        Assert.True(match.Success, $"no '{which}' NOTIFY in the transferrer's log:\n{log}");
        Assert.Equal("refer", match.Groups["event"].Value.Trim());
        Assert.StartsWith(state, match.Groups["state"].Value.Trim(), StringComparison.Ordinal);
        Assert.Equal("message/sipfrag;version=2.0", match.Groups["type"].Value.Trim());
        Assert.Equal(fragment, match.Groups["frag"].Value.Trim());
    }

    private static string InviteFrom(string log)
    {
        var match = Regex.Match(log, @"invite from (?<from>\S+) call-id");
        Assert.True(match.Success, $"no INVITE logged:\n{log}");
        return match.Groups["from"].Value;
    }

    private sealed record SdpSeen(string Address, int Port);

    private static SdpSeen Sdp(string log, string label)
    {
        var match = Regex.Match(log, $@"{label} sdp (?<ip>\S+) (?<port>\d+)");
        Assert.True(match.Success, $"no '{label} sdp' in the sipp log:\n{log}");
        return new SdpSeen(match.Groups["ip"].Value, int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
    }

    private static void AssertDaemonSaid(DaemonProcess daemon, string text) =>
        Assert.True(daemon.Output.Contains(text, StringComparison.Ordinal), $"the daemon never logged '{text}':\n{Tail(daemon)}");

    private static async Task WaitForDaemonAsync(DaemonProcess daemon, string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!daemon.Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > limit) Assert.Fail($"the daemon did not log '{text}' within {limit.TotalSeconds} s:\n{Tail(daemon)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every call the test made has ended (the daemon logs "Call ID ended: cause" once per call), and no more.</summary>
    private async Task AssertEndedAsync(DaemonProcess daemon, int calls)
    {
        var clock = Stopwatch.StartNew();
        while (EndedLines(daemon).Count < calls && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(100);
        var ended = EndedLines(daemon);
        foreach (var line in ended) output.WriteLine(line);
        Assert.True(calls == ended.Count, $"{calls} ended call(s) expected:\n{Tail(daemon)}");
        var started = Regex.Matches(daemon.Output, @"Call (\S+): \S+ -> \S+ connected").Select(m => m.Groups[1].Value).Distinct();
        var finished = ended.Select(l => Regex.Match(l, @"Call (\S+) ended").Groups[1].Value).ToHashSet();
        Assert.All(started, id => Assert.Contains(id, finished));
    }

    private static List<string> EndedLines(DaemonProcess daemon) =>
        daemon.Output.Split('\n').Where(l => Regex.IsMatch(l, @"Call \S+ ended: ")).ToList();

    private async Task LogJournalsAsync(DaemonProcess daemon)
    {
        using var admin = daemon.AdminClient();
        await Task.Delay(500);
        foreach (var line in daemon.Output.Split('\n').Where(l => l.Contains("Call ", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)))
            output.WriteLine($"daemon: {line}");
        foreach (var account in (Account[])[Alice, Bob, Carol])
            output.WriteLine($"journal {account.Login}: {await admin.GetStringAsync($"/api/journal/calls?user={account.Login}")}");
    }

    /// <summary>The account's journal has exactly one row, with this direction, result and remote number (polled: rows are written after the call).</summary>
    private static async Task AssertJournalAsync(DaemonProcess daemon, Account account, string direction, string result, string remoteNumber)
    {
        using var admin = daemon.AdminClient();
        JsonArray rows = [];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            rows = (await admin.GetFromJsonAsync<JsonArray>($"/api/journal/calls?user={account.Login}"))!;
            if (rows.Count > 0) break;
            await Task.Delay(200);
        }
        var row = Assert.Single(rows)!;
        var shown = row.ToJsonString();
        Assert.True(direction == row["direction"]?.GetValue<string>(), $"direction {direction} expected: {shown}");
        Assert.True(result == row["result"]?.GetValue<string>(), $"result {result} expected: {shown}");
        Assert.True(account.Number == row["localNumber"]?.GetValue<string>(), $"local number {account.Number} expected: {shown}");
        Assert.True(remoteNumber == row["remoteNumber"]?.GetValue<string>(), $"remote number {remoteNumber} expected: {shown}");
    }

    private static string Tail(DaemonProcess daemon) => string.Join('\n', daemon.Output.Split('\n').TakeLast(60)) + "\n" + daemon.Error;

    private static void AssertPassed(Sipp.Result result, DaemonProcess daemon, string who)
    {
        if (result.ExitCode == 0) return;
        Assert.Fail($"{who}: {result}\n--- sipp log\n{result.Log}\n--- daemon output (last 60 lines)\n{Tail(daemon)}");
    }
}
