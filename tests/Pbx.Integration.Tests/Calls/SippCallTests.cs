using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pbx.Integration.Tests.Infrastructure;
using Account = Pbx.Integration.Tests.Infrastructure.PbxAccount;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Calls through the B2BUA driven by sipp: alice (100) calls bob (101), who registered from a port where a sipp callee
/// then answers. The caller authenticates with 407; the callee sees the PBX's own leg with the caller's number and the
/// relay's SDP. Each call is checked in the call journal afterwards.
/// </summary>
public sealed partial class SippCallTests
{

    private static readonly Account Alice = new("alice", "Alice Example", "100", "alice-secret-pw1");
    private static readonly Account Bob = new("bob", "Bob Example", "101", "bob-secret-pw-2");
    private static readonly Account Carol = new("carol", "Carol Example", "102", "carol-secret-pw3");

    private static Task<DaemonProcess> StartAsync(Action<JsonObject>? adjust = null) => PbxAccounts.StartWithAsync([Alice, Bob, Carol], adjust);

    /// <summary>Registers the account from a fresh port and starts the callee scenario on that same port.</summary>
    private static async Task<Sipp.Callee> RegisterAndAnswerAsync(DaemonProcess daemon, Account account, string scenario)
    {
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", account.Login, account.Password, expires: 300, localPort: port);
        AssertPassed(registered, daemon, $"REGISTER of {account.Login}");
        return await Sipp.AnswerAsync(scenario, port);
    }

    /// <summary>
    /// Runs the caller; if it failed the callee is not waited for (disposing it kills it). Once the caller is done the
    /// callee has a few seconds to finish its side.
    /// </summary>
    private static async Task<(Sipp.Result Caller, Sipp.Result Callee)> CallAsync(DaemonProcess daemon, Sipp.Callee callee, string scenario, string number)
    {
        var caller = await Sipp.CallAsync(daemon, scenario, Alice.Login, Alice.Password, number);
        AssertPassed(caller, daemon, "caller");
        var answered = await callee.WaitAsync(TimeSpan.FromSeconds(8));
        AssertPassed(answered, daemon, "callee");
        return (caller, answered);
    }

    [Fact]
    public async Task An_answered_call_is_relayed_and_the_caller_hangs_up()
    {
        await using var daemon = await StartAsync();
        await using var callee = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_answer.xml");

        var (caller, answered) = await CallAsync(daemon, callee, "call_uac_answer.xml", Bob.Number);

        AssertBridged(caller, answered, callee);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
        await AssertNothingLeftAsync(daemon);
        // pbxctl finds bob's journal by his extension as well as by his login ID.
        var listed = await daemon.PbxCtlAsync("journal", "--user", Bob.Number);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("bob", listed.Output);
        Assert.Contains("Answered", listed.Output);
        Assert.DoesNotContain("alice ", listed.Output);
    }

    [Fact]
    public async Task The_callee_hangs_up_and_the_caller_gets_the_bye()
    {
        await using var daemon = await StartAsync();
        await using var callee = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_hangs_up.xml");

        var (caller, answered) = await CallAsync(daemon, callee, "call_uac_remote_bye.xml", Bob.Number);

        AssertBridged(caller, answered, callee);
        Assert.Contains("BYE sip:", caller.Messages);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task A_busy_callee_makes_the_caller_get_486()
    {
        await using var daemon = await StartAsync();
        await using var callee = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_busy.xml");

        var (_, answered) = await CallAsync(daemon, callee, "call_uac_busy.xml", Bob.Number);

        Assert.Contains($"invite from {Alice.Number} ", answered.Log);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Busy", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Busy", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task An_unknown_number_gets_404()
    {
        await using var daemon = await StartAsync();

        var caller = await Sipp.CallAsync(daemon, "call_uac_not_found.xml", Alice.Login, Alice.Password, "999");

        AssertPassed(caller, daemon, "caller");
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Failed", "999");
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task A_user_without_a_registration_gets_480()
    {
        await using var daemon = await StartAsync();

        var caller = await Sipp.CallAsync(daemon, "call_uac_unavailable.xml", Alice.Login, Alice.Password, Carol.Number);

        AssertPassed(caller, daemon, "caller");
        // Nothing could ring: the caller's row is Failed, the callee still learns of a missed call.
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Failed", Carol.Number);
        await AssertJournalAsync(daemon, Carol, "Incoming", "Missed", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task The_caller_cancels_while_it_rings()
    {
        await using var daemon = await StartAsync();
        await using var callee = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_cancelled.xml");

        var (_, cancelled) = await CallAsync(daemon, callee, "call_uac_cancel.xml", Bob.Number);

        Assert.Contains($"invite from {Alice.Number} ", cancelled.Log);
        Assert.Contains("CANCEL sip:", cancelled.Messages);
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Missed", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task An_unanswered_call_is_cancelled_after_the_ring_timeout_and_the_caller_gets_480()
    {
        await using var daemon = await StartAsync(config => config["Calls"] = new JsonObject { ["RingTimeoutSeconds"] = 3 });
        await using var callee = await RegisterAndAnswerAsync(daemon, Bob, "call_uas_cancelled.xml");

        var clock = Stopwatch.StartNew();
        var (caller, cancelled) = await CallAsync(daemon, callee, "call_uac_unavailable.xml", Bob.Number);
        var took = clock.Elapsed;

        Assert.Contains("SIP/2.0 180", caller.Messages);
        Assert.Contains("CANCEL sip:", cancelled.Messages);
        Assert.InRange(took, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Missed", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Missed", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    [Fact]
    public async Task Hold_is_answered_by_the_pbx_and_the_held_party_hears_music_on_hold()
    {
        await using var daemon = await StartAsync();
        // The callee's SDP names a port this test listens on, so what the PBX sends the held party can be inspected.
        var mediaPort = FreePorts.NextPair();
        using var media = new UdpClient(new IPEndPoint(IPAddress.Loopback, mediaPort));
        using var stop = new CancellationTokenSource();
        var heard = ReceiveRtpAsync(media, stop.Token);
        var port = FreePorts.Next();
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", Bob.Login, Bob.Password, expires: 300, localPort: port), daemon, "REGISTER of bob");
        await using var callee = await Sipp.AnswerAsync("call_uas_listen.xml", port, extraArgs: ["-set", "mport", mediaPort.ToString(CultureInfo.InvariantCulture)]);

        var (caller, answered) = await CallAsync(daemon, callee, "call_uac_hold.xml", Bob.Number);
        await stop.CancelAsync();
        var packets = await heard;

        // The holder's offers are answered by the PBX (mirrored directions, relay ports); the held phone is not asked.
        Assert.Equal("recvonly", Sdp(caller.Log, "hold").Direction);
        Assert.Equal("sendrecv", Sdp(caller.Log, "resume").Direction);
        Assert.DoesNotContain("a=sendonly", answered.Messages);
        // The caller sends no RTP at all, so everything bob received is the PBX's music: ~2 s of 20 ms PCMU packets
        // (bob answered PCMU first), one stream, not silence.
        Assert.True(packets.Count >= 40, $"only {packets.Count} RTP packets reached the held party");
        Assert.All(packets, p => Assert.Equal(0, p.PayloadType));
        Assert.Single(packets.Select(p => p.Ssrc).Distinct());
        Assert.True(packets.Average(p => p.Rms) > 300, $"music on hold is silent (mean RMS {packets.Average(p => p.Rms):0})");
        await AssertJournalAsync(daemon, Alice, "Outgoing", "Answered", Bob.Number);
        await AssertJournalAsync(daemon, Bob, "Incoming", "Answered", Alice.Number);
        await AssertNothingLeftAsync(daemon);
    }

    /// <summary>Every call is gone and every relay port pair is back, whichever way the call ended.</summary>
    private static async Task AssertNothingLeftAsync(DaemonProcess daemon)
    {
        using var admin = daemon.AdminClient();
        JsonNode? state = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            state = await admin.GetFromJsonAsync<JsonNode>("/api/calls");
            if (state!["calls"]!.AsArray().Count == 0 && state["rtpPortPairsInUse"]!.GetValue<int>() == 0) return;
            await Task.Delay(100);
        }
        Assert.Fail($"calls or relay ports left behind: {state?.ToJsonString()}");
    }

    private sealed record RtpPacket(int PayloadType, uint Ssrc, double Rms);

    private static async Task<List<RtpPacket>> ReceiveRtpAsync(UdpClient socket, CancellationToken stop)
    {
        var packets = new List<RtpPacket>();
        try
        {
            while (packets.Count < 10_000)
            {
                var datagram = await socket.ReceiveAsync(stop);
                var bytes = datagram.Buffer;
                if (bytes.Length < 12 || bytes[0] >> 6 != 2) continue;
                var ssrc = (uint)(bytes[8] << 24 | bytes[9] << 16 | bytes[10] << 8 | bytes[11]);
                double sum = 0;
                for (var i = 12; i < bytes.Length; i++)
                {
                    double sample = MuLaw(bytes[i]);
                    sum += sample * sample;
                }
                packets.Add(new RtpPacket(bytes[1] & 0x7F, ssrc, Math.Sqrt(sum / Math.Max(1, bytes.Length - 12))));
            }
        }
        catch (OperationCanceledException)
        {
            // The call is over.
        }
        return packets;
    }

    /// <summary>G.711 µ-law expansion (ITU-T G.711), enough to tell music from silence.</summary>
    private static int MuLaw(byte encoded)
    {
        int value = ~encoded;
        int magnitude = (((value & 0x0F) << 3) + 0x84) << ((value & 0x70) >> 4);
        return (value & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84;
    }

    /// <summary>
    /// The callee got its own leg (its own Call-ID, the caller's number in From, the relay in the SDP) and the caller's
    /// answer points at the relay, not at the callee.
    /// </summary>
    private static void AssertBridged(Sipp.Result caller, Sipp.Result callee, Sipp.Callee calleeProcess)
    {
        var invite = InviteLine().Match(callee.Log);
        Assert.True(invite.Success, $"callee logged no INVITE:\n{callee.Log}");
        Assert.Equal(Alice.Number, invite.Groups["from"].Value);
        var callerCallId = CallIdHeader().Match(caller.Messages);
        Assert.True(callerCallId.Success, "caller sent no Call-ID");
        Assert.NotEqual(callerCallId.Groups["id"].Value.Trim(), invite.Groups["id"].Value);

        var offer = Sdp(callee.Log, "offer");
        Assert.Equal("127.0.0.1", offer.Address);
        var callerMediaPort = MediaLine().Match(caller.Messages);
        Assert.True(callerMediaPort.Success, "caller sent no m=audio");
        Assert.NotEqual(int.Parse(callerMediaPort.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture), offer.Port);

        var answer = Sdp(caller.Log, "answer");
        Assert.Equal("127.0.0.1", answer.Address);
        Assert.NotEqual(calleeProcess.MediaPort, answer.Port);
        Assert.NotEqual(0, answer.Port);
    }

    private sealed record SdpSeen(string Address, int Port, string Direction);

    private static SdpSeen Sdp(string log, string label)
    {
        var match = Regex.Match(log, $@"{label} sdp (?<ip>\S+) (?<port>\d+) ?(?<dir>\w*)", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, $"no '{label} sdp' in the sipp log:\n{log}");
        return new SdpSeen(match.Groups["ip"].Value, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["dir"].Value);
    }

    [GeneratedRegex(@"invite from (?<from>\S+) call-id (?<id>\S+)")]
    private static partial Regex InviteLine();

    [GeneratedRegex(@"(?m)^Call-ID:(?<id>[^\r\n]+)")]
    private static partial Regex CallIdHeader();

    [GeneratedRegex(@"(?m)^m=audio (?<port>\d+) ")]
    private static partial Regex MediaLine();

    /// <summary>
    /// The account's journal has exactly one row for the call, with this direction, result and remote number.
    /// Rows are written after the call ends, so poll briefly.
    /// </summary>
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
        Assert.True(account.Login == row["userLoginId"]?.GetValue<string>(), shown);
        Assert.True(direction == row["direction"]?.GetValue<string>(), $"direction {direction} expected: {shown}");
        Assert.True(result == row["result"]?.GetValue<string>(), $"result {result} expected: {shown}");
        Assert.True(account.Number == row["localNumber"]?.GetValue<string>(), $"local number {account.Number} expected: {shown}");
        Assert.True(remoteNumber == row["remoteNumber"]?.GetValue<string>(), $"remote number {remoteNumber} expected: {shown}");
        Assert.True((result == "Answered") == (row["answeredAt"] is not null), $"answeredAt set only for answered calls: {shown}");
    }

    private static void AssertPassed(Sipp.Result result, DaemonProcess daemon, string who)
    {
        if (result.ExitCode == 0) return;
        var tail = string.Join('\n', daemon.Output.Split('\n').TakeLast(40));
        Assert.Fail($"{who}: {result}\n--- sipp log\n{result.Log}\n--- daemon output (last 40 lines)\n{tail}\n{daemon.Error}");
    }
}
