using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// SIP trunks with sipp playing the provider on a loopback port: registration with digest (and refusal), a call out
/// by dial rule with the caller's external number as caller ID, a provider failure, and a call in to a DID.
/// </summary>
public sealed class TrunkTests
{
    private sealed record Account(string Login, string Name, string Number, string External, string Password);

    private static readonly Account Alice = new("alice", "Alice Example", "100", "+4930123456100", "alice-secret-pw1");
    private static readonly Account Bob = new("bob", "Bob Example", "101", "+4930123456101", "bob-secret-pw-2");

    /// <summary>Starts the daemon with one trunk "provider" at 127.0.0.1:<paramref name="providerPort"/>, and alice and bob with both numbers.</summary>
    private static async Task<DaemonProcess> StartAsync(int providerPort, bool register)
    {
        var daemon = DaemonProcess.Create(adjust: config =>
        {
            config["Sip"]!["QualifyIntervalSeconds"] = 3600;
            config["Trunks"] = new JsonArray
            {
                new JsonObject
                {
                    ["Name"] = "provider", ["Host"] = "127.0.0.1", ["Port"] = providerPort, ["Username"] = "pbxaccount",
                    ["Password"] = "provider-pw", ["Register"] = register, ["RegisterExpirySeconds"] = 120, ["CountryCode"] = "49",
                    ["DialRules"] = new JsonArray { new JsonObject { ["Prefix"] = "0", ["Strip"] = 1, ["Prepend"] = "+49" } },
                },
            };
        });
        try
        {
            await daemon.StartAndWaitReadyAsync();
            using var admin = daemon.AdminClient();
            foreach (var account in (Account[])[Alice, Bob])
            {
                var user = await admin.PostAsJsonAsync("/api/users", new { loginId = account.Login, displayName = account.Name, password = account.Password });
                Assert.True(user.IsSuccessStatusCode, $"creating {account.Login}: {(int)user.StatusCode} {await user.Content.ReadAsStringAsync()}");
                foreach (var number in (string[])[account.Number, account.External])
                {
                    var assigned = await admin.PostAsJsonAsync("/api/numbers", new { number, user = account.Login });
                    Assert.True(assigned.IsSuccessStatusCode, $"numbering {account.Login}: {(int)assigned.StatusCode} {await assigned.Content.ReadAsStringAsync()}");
                }
            }
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task The_trunk_registers_with_digest_and_the_api_and_pbxctl_show_it_registered()
    {
        var providerPort = FreePorts.Next();
        await using var provider = await Sipp.AnswerAsync("trunk_provider_register.xml", providerPort);
        await using var daemon = await StartAsync(providerPort, register: true);

        var trunk = await WaitForTrunkAsync(daemon, t => t["state"]?.GetValue<string>() == "Registered");
        var registrar = await provider.WaitAsync();

        AssertPassed(registrar, daemon, "provider");
        Assert.Contains("register auth true user pbxaccount uri sip:127.0.0.1", registrar.Log);
        Assert.NotNull(trunk["expiresAt"]);
        var listing = await daemon.PbxCtlAsync("trunks");
        Assert.True(listing.ExitCode == 0, listing.Error);
        Assert.Contains("provider", listing.Output);
        Assert.Contains("Registered", listing.Output);
    }

    [Fact]
    public async Task A_refused_registration_shows_failing_with_the_last_code()
    {
        var providerPort = FreePorts.Next();
        await using var provider = await Sipp.AnswerAsync("trunk_provider_refuse.xml", providerPort);
        await using var daemon = await StartAsync(providerPort, register: true);

        var trunk = await WaitForTrunkAsync(daemon, t => t["state"]?.GetValue<string>() == "Failing");

        Assert.Equal(403, trunk["lastStatus"]?.GetValue<int>());
        Assert.Equal("Forbidden", trunk["lastReason"]?.GetValue<string>());
        Assert.NotNull(trunk["nextAttemptAt"]);
        await AssertLoggedAsync(daemon, "TRUNK provider REGISTER 403 Forbidden");
    }

    [Fact]
    public async Task A_national_number_goes_out_through_the_trunk_as_E164_with_the_external_number_as_caller_id()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(providerPort, register: false);
        await using var provider = await Sipp.AnswerAsync("trunk_provider_answer.xml", providerPort);

        var caller = await Sipp.CallAsync(daemon, "call_uac_answer.xml", Alice.Login, Alice.Password, "0301234567");
        AssertPassed(caller, daemon, "caller");
        var answered = await provider.WaitAsync();
        AssertPassed(answered, daemon, "provider");

        Assert.True(answered.Log.Contains("invite to +49301234567 from +4930123456100 auth true", StringComparison.Ordinal), answered.Log);
        Assert.Contains("answer sdp 127.0.0.1", caller.Log);
        var row = await JournalRowAsync(daemon, Alice);
        Assert.Equal("Outgoing", row["direction"]?.GetValue<string>());
        Assert.Equal("Answered", row["result"]?.GetValue<string>());
        Assert.Equal("0301234567", row["remoteNumber"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_scheduled_conference_calls_an_outside_participant_through_the_trunk()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(providerPort, register: false);
        await using var provider = await Sipp.AnswerAsync("trunk_provider_answer.xml", providerPort, TimeSpan.FromSeconds(60));
        using var admin = daemon.AdminClient();
        var created = await admin.PostAsJsonAsync("/api/conferences", new
        {
            name = "Supplier call",
            start = DateTimeOffset.UtcNow.AddSeconds(3).ToString("O"),
            durationMinutes = 15,
            participants = new object[]
            {
                new { user = "alice", moderator = true, pbxCalls = false },
                new { number = "0301234567", moderator = false, pbxCalls = true },
            },
        });
        Assert.True(created.IsSuccessStatusCode, $"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");

        // The provider is rung with the number in E.164 (the trunk's dial rule) and answers; the PBX seats it.
        JsonNode? seat = null;
        var clock = Stopwatch.StartNew();
        while (seat is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(200);
            var live = (await admin.GetFromJsonAsync<JsonNode>("/api/conferences/live"))!.AsArray();
            seat = live.SelectMany(c => c!["participants"]!.AsArray())
                .FirstOrDefault(p => p!["number"]!.GetValue<string>() == "0301234567" && p["state"]!.GetValue<string>() == "joined");
        }
        Assert.True(seat is not null, "the outside participant was not seated\n" + daemon.Output);
        var key = (await admin.GetFromJsonAsync<JsonNode>("/api/conferences/live"))!.AsArray().Single()!["key"]!.GetValue<string>();
        var kicked = await admin.PostAsJsonAsync($"/api/conferences/live/{key}/participants/{seat!["id"]!.GetValue<string>()}/kick", new { moderator = "alice" });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, kicked.StatusCode);

        var answered = await provider.WaitAsync();
        AssertPassed(answered, daemon, "provider");
        Assert.Contains("invite to +49301234567 ", answered.Log);
    }

    [Fact]
    public async Task A_barred_user_goes_out_through_the_trunk_only_with_the_pin_dialled_first()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(providerPort, register: false);
        using (var admin = daemon.AdminClient())
        {
            var barred = await admin.PutAsJsonAsync("/api/users/alice/routing/barring", new { barred = true, pin = "4711" });
            Assert.True(barred.IsSuccessStatusCode, await barred.Content.ReadAsStringAsync());
        }

        var refused = await Sipp.CallAsync(daemon, "call_uac_forbidden.xml", Alice.Login, Alice.Password, "0301234567");
        AssertPassed(refused, daemon, "barred caller without the PIN");

        await using var provider = await Sipp.AnswerAsync("trunk_provider_answer.xml", providerPort);
        var unlocked = await Sipp.CallAsync(daemon, "call_uac_answer.xml", Alice.Login, Alice.Password, "*4711*0301234567");
        AssertPassed(unlocked, daemon, "barred caller with the PIN");
        var answered = await provider.WaitAsync();
        AssertPassed(answered, daemon, "provider");
        Assert.Contains("invite to +49301234567 ", answered.Log);
    }

    [Fact]
    public async Task A_provider_503_fails_the_call_and_the_journal_keeps_the_code()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(providerPort, register: false);
        await using var provider = await Sipp.AnswerAsync("trunk_provider_unavailable.xml", providerPort);

        var caller = await Sipp.CallAsync(daemon, "call_uac_unavailable.xml", Alice.Login, Alice.Password, "0301234567");
        AssertPassed(caller, daemon, "caller");
        var refused = await provider.WaitAsync();
        AssertPassed(refused, daemon, "provider");

        Assert.Contains("invite to +49301234567", refused.Log);
        await AssertLoggedAsync(daemon, "TRUNK provider 503 Service Unavailable");
        var row = await JournalRowAsync(daemon, Alice);
        Assert.Equal("Failed", row["result"]?.GetValue<string>());
        Assert.Contains("503", row["cause"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_call_to_a_DID_rings_the_user_it_is_assigned_to()
    {
        var providerPort = FreePorts.Next();
        await using var daemon = await StartAsync(providerPort, register: false);
        var bobPort = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", Bob.Login, Bob.Password, expires: 300, localPort: bobPort);
        AssertPassed(registered, daemon, "REGISTER of bob");
        await using var callee = await Sipp.AnswerAsync("call_uas_answer.xml", bobPort);

        var provider = await CallInAsync(daemon, providerPort, Bob.External);
        AssertPassed(provider, daemon, "provider");
        var answered = await callee.WaitAsync();
        AssertPassed(answered, daemon, "callee");

        Assert.Contains("invite from +4930999888 ", answered.Log);
        Assert.Contains("answer sdp 127.0.0.1", provider.Log);
        var row = await JournalRowAsync(daemon, Bob);
        Assert.Equal("Incoming", row["direction"]?.GetValue<string>());
        Assert.Equal("Answered", row["result"]?.GetValue<string>());
        Assert.Equal("+4930999888", row["remoteNumber"]?.GetValue<string>());
    }

    /// <summary>The provider's INVITE to <paramref name="did"/>, sent from the trunk's own port (that is what identifies it).</summary>
    private static async Task<Sipp.Result> CallInAsync(DaemonProcess daemon, int providerPort, string did)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-trunk-").FullName;
        try
        {
            var info = new ProcessStartInfo("sipp")
            {
                WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
                UseShellExecute = false,
            };
            string[] args = [
                $"127.0.0.1:{daemon.SipPort}", "-sf", Path.Combine(AppContext.BaseDirectory, "Scenarios", "trunk_provider_call_in.xml"),
                "-s", did, "-t", "u1", "-i", "127.0.0.1", "-p", providerPort.ToString(CultureInfo.InvariantCulture),
                "-mi", "127.0.0.1", "-mp", FreePorts.Next().ToString(CultureInfo.InvariantCulture), "-m", "1", "-l", "1",
                "-timeout", "20s", "-timeout_error", "-trace_logs", "-trace_err", "-trace_msg", "-nostdin"];
            foreach (var arg in args) info.ArgumentList.Add(arg);
            var run = await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(50));
            return new Sipp.Result(run.ExitCode, Read(folder, "logs"), Read(folder, "errors"), Read(folder, "messages"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Read(string folder, string suffix) =>
        string.Join('\n', Directory.GetFiles(folder, $"*_{suffix}.log").Select(File.ReadAllText));

    private static async Task<JsonNode> WaitForTrunkAsync(DaemonProcess daemon, Func<JsonNode, bool> condition)
    {
        using var admin = daemon.AdminClient();
        var clock = Stopwatch.StartNew();
        JsonNode? trunk = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var trunks = (await admin.GetFromJsonAsync<JsonArray>("/api/trunks"))!;
            trunk = Assert.Single(trunks)!;
            Assert.Equal("provider", trunk["name"]?.GetValue<string>());
            if (condition(trunk)) return trunk;
            await Task.Delay(200);
        }
        Assert.Fail($"trunk state not reached: {trunk?.ToJsonString()}\n{daemon.Output}");
        return null!;
    }

    /// <summary>The account's single journal row for the call (rows are written after the call ends, so poll briefly).</summary>
    private static async Task<JsonNode> JournalRowAsync(DaemonProcess daemon, Account account)
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
        return Assert.Single(rows)!;
    }

    /// <summary>Console logging is asynchronous: a line may reach the output a little after the event.</summary>
    private static async Task AssertLoggedAsync(DaemonProcess daemon, string line)
    {
        var clock = Stopwatch.StartNew();
        while (!daemon.Output.Contains(line, StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5)) Assert.Fail($"'{line}' not logged:\n{daemon.Output}");
            await Task.Delay(100);
        }
    }

    private static void AssertPassed(Sipp.Result result, DaemonProcess daemon, string who)
    {
        if (result.ExitCode == 0) return;
        var tail = string.Join('\n', daemon.Output.Split('\n').TakeLast(40));
        Assert.Fail($"{who}: {result}\n--- sipp log\n{result.Log}\n--- daemon output (last 40 lines)\n{tail}\n{daemon.Error}");
    }
}
