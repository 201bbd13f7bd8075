using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>The registrar driven by sipp: digest, listing, restart, refusals, bans, unregister, 423, expiry.</summary>
public sealed class SipRegistrarTests
{
    private const string User = "1000";
    private const string Password = "secret-1000-pw";

    private static async Task<DaemonProcess> StartAsync(Action<JsonObject>? adjust = null)
    {
        var daemon = DaemonProcess.Create(adjust: adjust);
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        (await admin.PostAsJsonAsync("/api/users", new { loginId = User, displayName = "Desk 1000", password = Password })).EnsureSuccessStatusCode();
        return daemon;
    }

    private static async Task<JsonArray> RegistrationsAsync(DaemonProcess daemon)
    {
        using var admin = daemon.AdminClient();
        return (await admin.GetFromJsonAsync<JsonArray>("/api/registrations"))!;
    }

    private static void AssertPassed(Sipp.Result result) => Assert.True(result.ExitCode == 0, result.ToString());

    [Theory]
    [InlineData("u1", "UDP")]
    [InlineData("t1", "TCP")]
    public async Task A_phone_registers_with_digest_and_the_binding_is_listed_and_survives_a_restart(string sippTransport, string transport)
    {
        await using var daemon = await StartAsync();

        var result = await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 300, transport: sippTransport);

        AssertPassed(result);
        Assert.Contains("granted 300", result.Log);
        var listed = Assert.Single(await RegistrationsAsync(daemon));
        Assert.Equal((User, transport), (listed!["aor"]!.GetValue<string>(), listed["transport"]!.GetValue<string>()));

        Assert.Equal(0, (await daemon.TerminateAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await daemon.StartAndWaitReadyAsync();
        var restored = Assert.Single(await RegistrationsAsync(daemon));
        Assert.Equal(listed["contact"]!.GetValue<string>(), restored!["contact"]!.GetValue<string>());
    }

    [Fact]
    public async Task Registrations_are_shown_by_pbxctl()
    {
        await using var daemon = await StartAsync();
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 300));

        var listing = await daemon.PbxCtlAsync("registrations");

        Assert.Equal(0, listing.ExitCode);
        Assert.Contains(listing.Output.Split('\n'), line => line.StartsWith(User + " ", StringComparison.Ordinal) && line.Contains("UDP") && line.Contains("sipp-test"));
        using var scraper = new HttpClient { BaseAddress = daemon.AdminUrl };
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Matches(@"(?m)^pbx_sip_registrations(\{[^}]*\})? 1(\s|$)", metrics);
        Assert.Matches(@"(?m)^pbx_sip_messages_received_total(\{[^}]*\})? [1-9]", metrics);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_answer()
    {
        await using var daemon = await StartAsync();

        var wrongPassword = await Sipp.RunAsync(daemon, "register_refused.xml", User, "not-the-password", expires: 300);
        var unknownUser = await Sipp.RunAsync(daemon, "register_refused.xml", "1099", "whatever-password", expires: 300);

        AssertPassed(wrongPassword);
        AssertPassed(unknownUser);
        Assert.Empty(await RegistrationsAsync(daemon));
    }

    [Fact]
    public async Task Repeated_failures_ban_the_source_until_an_admin_lifts_it()
    {
        await using var daemon = await StartAsync(config => config["Sip"]!["AuthFailureLimit"] = 3);
        for (var i = 0; i < 3; i++)
            AssertPassed(await Sipp.RunAsync(daemon, "register_refused.xml", User, "guess-" + i, expires: 300));

        var banned = await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 300, limit: TimeSpan.FromSeconds(4));
        Assert.NotEqual(0, banned.ExitCode);
        Assert.DoesNotContain("SIP/2.0", banned.Messages.Split("received").Skip(1).FirstOrDefault() ?? "");

        var bans = await daemon.PbxCtlAsync("bans", "list");
        Assert.Contains("127.0.0.1", bans.Output);
        Assert.Equal(0, (await daemon.PbxCtlAsync("bans", "lift", "127.0.0.1")).ExitCode);
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 300));
    }

    [Fact]
    public async Task Expires_zero_removes_the_binding()
    {
        await using var daemon = await StartAsync();
        // The same phone (same contact address) unregisters what it registered.
        var phonePort = FreePorts.Next();
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 300, localPort: phonePort));
        Assert.Single(await RegistrationsAsync(daemon));

        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 0, localPort: phonePort));

        Assert.Empty(await RegistrationsAsync(daemon));
    }

    [Fact]
    public async Task A_re_registration_refreshes_the_one_binding_with_the_new_expiry()
    {
        await using var daemon = await StartAsync();
        var phonePort = FreePorts.Next();
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 120, localPort: phonePort));
        var first = Assert.Single(await RegistrationsAsync(daemon))!["expiresAt"]!.GetValue<DateTimeOffset>();

        var refresh = await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 3000, localPort: phonePort);

        AssertPassed(refresh);
        Assert.Contains("granted 3000", refresh.Log);
        var refreshed = Assert.Single(await RegistrationsAsync(daemon))!["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(refreshed - first, TimeSpan.FromSeconds(2870), TimeSpan.FromSeconds(2900));
    }

    [Fact]
    public async Task Too_short_an_interval_gets_423_with_min_expires()
    {
        await using var daemon = await StartAsync();

        var result = await Sipp.RunAsync(daemon, "register_too_brief.xml", User, Password, expires: 30);

        AssertPassed(result);
        Assert.Contains("min-expires 60", result.Log);
        Assert.Empty(await RegistrationsAsync(daemon));
    }

    [Fact]
    public async Task A_binding_that_is_not_refreshed_expires()
    {
        await using var daemon = await StartAsync(config => config["Sip"]!["MinExpiresSeconds"] = 1);
        AssertPassed(await Sipp.RunAsync(daemon, "register_digest.xml", User, Password, expires: 2));
        Assert.Single(await RegistrationsAsync(daemon));

        // The listing hides it as soon as it lapses; the sweep (every 5 s) then drops it and says so.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!daemon.Output.Contains($"EXPIRED {User}") && DateTime.UtcNow < deadline) await Task.Delay(250);

        Assert.Empty(await RegistrationsAsync(daemon));
        Assert.Contains(daemon.Output.Split('\n'), line => line.Contains($"EXPIRED {User}"));
    }
}
