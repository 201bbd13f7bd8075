using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Conferences through the real daemon: three baresip phones in a dial-in room with a PIN, a scheduled conference
/// that rings sipp participants at its start, and a three-way conference made from two of alice's calls.
/// </summary>
public sealed class ConferenceTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan AllThreeIn = TimeSpan.FromSeconds(6);
    // Clear of the mixer's join (1000 Hz) and leave (600 Hz) tones and of the prompt beep (1000 Hz).
    private static readonly double[] Tones = [700, 1300, 1900];
    private static readonly PbxAccount[] Accounts =
    [
        new("alice", "Alice", "100", "alice-conf-secret1"),
        new("bob", "Bob", "101", "bob-conf-secret-22"),
        new("carol", "Carol", "102", "carol-conf-secret3"),
    ];

    [Fact]
    public async Task Three_baresip_phones_in_a_dial_in_room_each_hear_the_other_two_and_not_themselves()
    {
        await using var daemon = await PbxAccounts.StartWithAsync(Accounts);
        using var admin = daemon.AdminClient();
        var room = await admin.PutAsJsonAsync("/api/conference-rooms/800", new { name = "Team room", pin = "4711" });
        Assert.True(room.IsSuccessStatusCode, $"{(int)room.StatusCode} {await room.Content.ReadAsStringAsync()}");

        var folder = Directory.CreateTempSubdirectory("conference-tones-").FullName;
        var phones = new List<Baresip>();
        try
        {
            for (var i = 0; i < Accounts.Length; i++)
            {
                var tone = Path.Combine(folder, $"{Accounts[i].Login}.wav");
                ToneAudio.WriteTone(tone, Tones[i], TimeSpan.FromSeconds(60));
                phones.Add(Baresip.Register(daemon, Accounts[i].Login, Accounts[i].Password, "udp",
                    new BaresipOptions(MicrophoneWav: tone, RecordReceivedAudio: true, SipTrace: false)));
            }
            foreach (var phone in phones) await WithContext(daemon, phones, phone.WaitForRegisteredAsync(Step));

            // One after the other: dial the room, hear the PIN prompt, key the PIN and #, get seated.
            for (var i = 0; i < phones.Count; i++)
            {
                var mark = phones[i].OutputMark;
                await phones[i].DialAsync($"sip:800@127.0.0.1:{daemon.SipPort}");
                await WithContext(daemon, phones, phones[i].WaitForCallEstablishedAsync(Step, mark));
                await Task.Delay(TimeSpan.FromSeconds(1));
                await phones[i].SendDtmfAsync("4711#");
                await WithContext(daemon, phones, WaitUntilAsync(() => JoinedCount(daemon) == i + 1, $"{i + 1} participants seated"));
            }
            var live = await LiveAsync(admin);
            var conference = live.Single(c => c!["key"]!.GetValue<string>() == "room-800")!;
            Assert.Equal(3, conference["participants"]!.AsArray().Count(p => p!["state"]!.GetValue<string>() == "joined"));

            await Task.Delay(AllThreeIn);
            foreach (var phone in phones)
            {
                var mark = phone.OutputMark;
                await phone.HangupAsync();
                await WithContext(daemon, phones, phone.WaitForOutputAsync(Baresip.CallClosed[0], Step, mark));
            }
            await Task.Delay(300);
            await WithContext(daemon, phones, WaitUntilAsync(() => RtpPortsInUse(admin) == 0, "every port released"));

            for (var i = 0; i < phones.Count; i++)
            {
                var recording = phones[i].ReceivedAudio();
                var shares = ToneAudio.Analyse(recording, Tones);
                var report = $"{Accounts[i].Login} heard {ToneAudio.Describe(recording, Tones)}";
                log.WriteLine(report);
                for (var j = 0; j < Tones.Length; j++)
                {
                    if (j == i) Assert.True(shares[j].Absent, $"{report}: its own {Tones[j]} Hz came back\n{Context(daemon, phones)}");
                    // Everyone joined in turn and setup time varies with load, so count time heard, not a share of the
                    // recording: at least half of the time all three were in (windows step by 100 ms).
                    else Assert.True(shares[j].Trace * shares[j].Windows >= AllThreeIn.TotalSeconds * 10 / 2,
                        $"{report}: {Accounts[j].Login}'s {Tones[j]} Hz is missing\n{Context(daemon, phones)}");
                }
            }
        }
        finally
        {
            foreach (var phone in phones) await phone.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_scheduled_conference_rings_its_participants_at_the_start_time_and_a_moderator_can_kick()
    {
        await using var daemon = await PbxAccounts.StartWithAsync(Accounts);
        using var admin = daemon.AdminClient();
        await using var bob = await DeviceAsync(daemon, Accounts[1]);
        await using var carol = await DeviceAsync(daemon, Accounts[2]);

        var start = DateTimeOffset.UtcNow.AddSeconds(6);
        var created = await admin.PostAsJsonAsync("/api/conferences", new
        {
            name = "Weekly sync",
            start = start.ToString("O"),
            repetition = "weekly",
            durationMinutes = 30,
            pin = "2468",
            participants = new object[]
            {
                new { user = "bob", moderator = true, pbxCalls = true },
                new { user = "carol", moderator = false, pbxCalls = true },
                new { user = "alice", moderator = false, pbxCalls = false },
            },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var id = (await created.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
        var planned = await daemon.PbxCtlAsync("conferences", "list");
        Assert.True(planned.ExitCode == 0 && planned.Output.Contains("Weekly sync", StringComparison.Ordinal), planned.ToString());

        // Nothing rings before the start time.
        while (DateTimeOffset.UtcNow < start.AddSeconds(-1))
        {
            Assert.Empty(await LiveAsync(admin));
            await Task.Delay(250);
        }
        await WithContext(daemon, [], WaitUntilAsync(() => JoinedCount(daemon, $"conference-{id}") == 2, "bob and carol seated"));
        var rungAt = DateTimeOffset.UtcNow;
        Assert.True(rungAt >= start, $"seated at {rungAt:O}, before the start {start:O}");
        Assert.True(rungAt - start < TimeSpan.FromSeconds(10), $"seated only at {rungAt:O} for a start at {start:O}");

        var participants = (await LiveAsync(admin)).Single()!["participants"]!.AsArray();
        var carolSeat = participants.Single(p => p!["loginId"]!.GetValue<string>() == "carol")!["id"]!.GetValue<string>();
        var bobSeat = participants.Single(p => p!["loginId"]!.GetValue<string>() == "bob")!["id"]!.GetValue<string>();
        Assert.True(participants.Single(p => p!["id"]!.GetValue<string>() == bobSeat)!["isModerator"]!.GetValue<bool>());
        Assert.Equal("101", participants.Single(p => p!["id"]!.GetValue<string>() == bobSeat)!["number"]!.GetValue<string>());

        // carol is no moderator; bob is: he mutes and then removes carol.
        var refused = await admin.PostAsJsonAsync($"/api/conferences/live/conference-{id}/participants/{bobSeat}/kick", new { moderator = "carol" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var muted = await admin.PostAsJsonAsync($"/api/conferences/live/conference-{id}/participants/{carolSeat}/mute", new { muted = true, moderator = "bob" });
        Assert.Equal(HttpStatusCode.NoContent, muted.StatusCode);
        Assert.True((await LiveAsync(admin)).Single()!["participants"]!.AsArray()
            .Single(p => p!["id"]!.GetValue<string>() == carolSeat)!["isMuted"]!.GetValue<bool>());
        var kicked = await admin.PostAsJsonAsync($"/api/conferences/live/conference-{id}/participants/{carolSeat}/kick", new { moderator = "bob" });
        Assert.Equal(HttpStatusCode.NoContent, kicked.StatusCode);
        var carolDone = await carol.WaitAsync();
        Assert.True(carolDone.ExitCode == 0, "carol's phone gets a BYE when she is removed: " + carolDone);
        Assert.Equal(1, JoinedCount(daemon, $"conference-{id}"));

        var bobKicked = await admin.PostAsJsonAsync($"/api/conferences/live/conference-{id}/participants/{bobSeat}/kick", new { });
        Assert.Equal(HttpStatusCode.NoContent, bobKicked.StatusCode);
        var bobDone = await bob.WaitAsync();
        Assert.True(bobDone.ExitCode == 0, bobDone.ToString());
    }

    [Fact]
    public async Task Two_calls_of_alice_become_a_three_way_conference_that_goes_on_when_she_hangs_up()
    {
        await using var daemon = await PbxAccounts.StartWithAsync(Accounts);
        using var admin = daemon.AdminClient();
        await using var bob = await DeviceAsync(daemon, Accounts[1]);
        await using var carol = await DeviceAsync(daemon, Accounts[2]);

        // First call: alice -> bob; alice's side of it is ended by the PBX when the conference starts.
        var first = Sipp.CallAsync(daemon, "call_uac_remote_bye.xml", "alice", Accounts[0].Password, "101", TimeSpan.FromSeconds(60));
        var firstId = await ConnectedCallWithAsync(admin, "bob");
        // Second call: alice -> carol, talking 7 s before alice hangs up.
        var second = Sipp.CallAsync(daemon, "call_uac_long.xml", "alice", Accounts[0].Password, "102", TimeSpan.FromSeconds(60));
        var secondId = await ConnectedCallWithAsync(admin, "carol");
        Assert.NotEqual(firstId, secondId);

        var joined = await admin.PostAsJsonAsync($"/api/calls/{secondId}/conference", new { user = "alice" });
        Assert.True(joined.StatusCode == HttpStatusCode.Accepted, $"{(int)joined.StatusCode} {await joined.Content.ReadAsStringAsync()}\n{daemon.Output}");
        await WithContext(daemon, [], WaitUntilAsync(() => JoinedCount(daemon, "adhoc-") == 3, "alice, bob and carol seated"));
        var aliceFirst = await first;
        Assert.True(aliceFirst.ExitCode == 0, "alice's first call is ended by the PBX: " + aliceFirst);

        // alice hangs up her remaining call: bob and carol stay in the conference.
        var aliceSecond = await second;
        Assert.True(aliceSecond.ExitCode == 0, aliceSecond.ToString());
        await WithContext(daemon, [], WaitUntilAsync(() => JoinedCount(daemon, "adhoc-") == 2, "bob and carol still seated"));
        var seats = (await LiveAsync(admin)).Single()!["participants"]!.AsArray().Select(p => p!["loginId"]?.GetValue<string>()).ToList();
        Assert.Contains("bob", seats);
        Assert.Contains("carol", seats);
        Assert.DoesNotContain("alice", seats);

        var key = (await LiveAsync(admin)).Single()!["key"]!.GetValue<string>();
        foreach (var seat in (await LiveAsync(admin)).Single()!["participants"]!.AsArray())
            (await admin.PostAsJsonAsync($"/api/conferences/live/{key}/participants/{seat!["id"]!.GetValue<string>()}/kick", new { })).EnsureSuccessStatusCode();
        Assert.True((await bob.WaitAsync()).ExitCode == 0);
        Assert.True((await carol.WaitAsync()).ExitCode == 0);
        await WithContext(daemon, [], WaitUntilAsync(() => RtpPortsInUse(admin) == 0, "every port released"));
    }

    private static async Task<Sipp.Callee> DeviceAsync(DaemonProcess daemon, PbxAccount account)
    {
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", account.Login, account.Password, expires: 300, localPort: port);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        return await Sipp.AnswerAsync("call_uas_answer.xml", port, TimeSpan.FromSeconds(60));
    }

    private static async Task<string> ConnectedCallWithAsync(HttpClient admin, string login)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Step)
        {
            var calls = (await admin.GetFromJsonAsync<JsonNode>("/api/calls"))!["calls"]!.AsArray();
            if (calls.FirstOrDefault(c => c!["phase"]!.GetValue<string>() == "Connected"
                    && c["parties"]!.AsArray().Any(p => p!.GetValue<string>() == login)) is { } call)
                return call["callId"]!.GetValue<string>();
            await Task.Delay(100);
        }
        throw new TimeoutException($"no connected call with {login}");
    }

    private static async Task<JsonArray> LiveAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonNode>("/api/conferences/live"))!.AsArray();

    /// <summary>Seated participants of conferences whose key starts with <paramref name="keyPrefix"/>, from the live API.</summary>
    private static int JoinedCount(DaemonProcess daemon, string keyPrefix = "")
    {
        using var admin = daemon.AdminClient();
        var live = admin.GetFromJsonAsync<JsonNode>("/api/conferences/live").GetAwaiter().GetResult()!.AsArray();
        return live.Where(c => c!["key"]!.GetValue<string>().StartsWith(keyPrefix, StringComparison.Ordinal))
            .Sum(c => c!["participants"]!.AsArray().Count(p => p!["state"]!.GetValue<string>() == "joined"));
    }

    private static int RtpPortsInUse(HttpClient admin) =>
        admin.GetFromJsonAsync<JsonNode>("/api/calls").GetAwaiter().GetResult()!["rtpPortPairsInUse"]!.GetValue<int>();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Step) throw new TimeoutException($"not reached within {Step.TotalSeconds} s: {what}");
            await Task.Delay(200);
        }
    }

    private static async Task WithContext(DaemonProcess daemon, IReadOnlyList<Baresip> phones, Task step)
    {
        try { await step; }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"{ex.Message}\n{Context(daemon, phones)}", ex);
        }
    }

    private static string Context(DaemonProcess daemon, IReadOnlyList<Baresip> phones) =>
        $"--- daemon ---\n{daemon.Output}\n{daemon.Error}" + string.Concat(phones.Select((p, i) => $"\n--- phone {i} ---\n{p.Output}"));
}
