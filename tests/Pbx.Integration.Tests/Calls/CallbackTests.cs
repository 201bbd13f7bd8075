using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Calls the PBX connects in two steps: callback (the PBX rings the user, then the destination) and call-through
/// (the user calls the call-through number and keys in the destination).
/// </summary>
public sealed class CallbackTests
{
    private static readonly (string Login, string Password, string Number)[] Accounts =
        [("alice", "alice-secret-pw1", "100"), ("bob", "bob-secret-pw-2", "101"), ("carol", "carol-secret-pw3", "102")];

    private static async Task<DaemonProcess> StartAsync()
    {
        var daemon = DaemonProcess.Create(adjust: config => config["Sip"]!["QualifyIntervalSeconds"] = 3600);
        try
        {
            await daemon.StartAndWaitReadyAsync();
            using var admin = daemon.AdminClient();
            foreach (var (login, password, number) in Accounts)
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

    private static async Task<Sipp.Callee> PhoneAsync(DaemonProcess daemon, string login, string scenario)
    {
        var password = Accounts.Single(a => a.Login == login).Password;
        var port = FreePorts.Next();
        var registered = await Sipp.RunAsync(daemon, "register_digest.xml", login, password, expires: 300, localPort: port);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        return await Sipp.AnswerAsync(scenario, port, TimeSpan.FromSeconds(30));
    }

    private static async Task<JsonArray> JournalAsync(DaemonProcess daemon, string login)
    {
        using var admin = daemon.AdminClient();
        var clock = Stopwatch.StartNew();
        JsonArray rows = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            rows = (await admin.GetFromJsonAsync<JsonArray>($"/api/journal/calls?user={login}"))!;
            if (rows.Count > 0) break;
            await Task.Delay(200);
        }
        return rows;
    }

    [Fact]
    public async Task Callback_rings_the_users_desk_then_the_destination_which_sees_the_users_number()
    {
        await using var daemon = await StartAsync();
        await using var bobDesk = await PhoneAsync(daemon, "bob", "call_uas_answer.xml");
        await using var carol = await PhoneAsync(daemon, "carol", "call_uas_hangs_up.xml");

        var result = await daemon.PbxCtlAsync("callback", "bob", "102", "--device", "DeskPhone");
        Assert.True(result.ExitCode == 0, result + daemon.Output);

        var carolSide = await carol.WaitAsync();
        var bobSide = await bobDesk.WaitAsync();
        Assert.True(bobSide.ExitCode == 0, "bob's desk is rung first and gets carol's hang-up: " + bobSide + daemon.Output);
        Assert.True(carolSide.ExitCode == 0, carolSide.ToString());
        // Carol sees bob's desk number, not the PBX and not bob's cell.
        Assert.Contains("invite from 101 ", carolSide.Log);
        var rows = await JournalAsync(daemon, "bob");
        var row = Assert.Single(rows)!;
        Assert.Equal("Outgoing", row["direction"]!.GetValue<string>());
        Assert.Equal("Answered", row["result"]!.GetValue<string>());
        Assert.Equal("102", row["remoteNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_through_takes_the_destination_as_digits_and_connects_it()
    {
        await using var daemon = await StartAsync();
        await using var carol = await PhoneAsync(daemon, "carol", "call_uas_answer.xml");

        var alice = await Sipp.CallAsync(daemon, "call_uac_callthrough.xml", "alice", "alice-secret-pw1", "*78");
        var carolSide = await carol.WaitAsync();

        Assert.True(alice.ExitCode == 0, alice + daemon.Output);
        Assert.True(carolSide.ExitCode == 0, "carol is rung with the keyed-in number and gets alice's hang-up: " + carolSide + daemon.Output);
        Assert.Contains("invite from 100 ", carolSide.Log);
        Assert.Contains("call-through: alice dialled 102", daemon.Output);
    }
}
