using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>The daemon's XMPP service driven by a real client library (slixmpp), logging in with PBX credentials.</summary>
public sealed class XmppTests
{
    private static async Task<DaemonProcess> StartWithUsersAsync(params string[] users)
    {
        var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using var admin = daemon.AdminClient();
        foreach (var user in users)
        {
            var response = await admin.PostAsJsonAsync("/api/users", new { loginId = user, displayName = $"{char.ToUpperInvariant(user[0])}{user[1..]} Example", password = Password(user) });
            response.EnsureSuccessStatusCode();
        }
        return daemon;
    }

    private static string Password(string user) => $"{user}-secret-pw";

    private static void AssertExit(int expected, ProcessResult result) =>
        Assert.True(result.ExitCode == expected, $"exit {result.ExitCode}, expected {expected}\n{result.Output}\n{result.Error}");

    [Fact]
    public async Task A_pbx_user_logs_in_and_sees_the_other_users_in_the_shared_roster()
    {
        await using var daemon = await StartWithUsersAsync("alice", "bob", "carol");

        var result = await XmppClient.RunAsync(daemon, "alice", Password("alice"), "roster");

        AssertExit(XmppClient.Done, result);
        Assert.Contains($"roster: bob@{DaemonProcess.XmppDomain} name=Bob Example subscription=both", result.Output);
        Assert.Contains($"roster: carol@{DaemonProcess.XmppDomain}", result.Output);
        Assert.DoesNotContain($"roster: alice@", result.Output);
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await using var daemon = await StartWithUsersAsync("alice");
        AssertExit(XmppClient.AuthFailed, await XmppClient.RunAsync(daemon, "alice", "not-the-password", "roster"));
    }

    [Fact]
    public async Task A_chat_message_reaches_the_online_recipient_and_lands_in_the_chat_journal()
    {
        await using var daemon = await StartWithUsersAsync("alice", "bob");
        var (bob, bobOutput) = await XmppClient.StartAsync(daemon, "bob", Password("bob"), "ready:", [], "receive", "1", "20");

        AssertExit(XmppClient.Done, await XmppClient.RunAsync(daemon, "alice", Password("alice"), "send", $"bob@{DaemonProcess.XmppDomain}", "hello bob"));

        await bob.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(XmppClient.Done, bob.ExitCode);
        Assert.Contains($"received: from=alice@{DaemonProcess.XmppDomain} body=hello bob", await bobOutput);

        using var admin = daemon.AdminClient();
        var journal = await admin.GetFromJsonAsync<JsonObject>("/api/journal/chat/bob");
        Assert.Contains(journal!["records"]!.AsArray(), r => r!["body"]!.GetValue<string>() == "hello bob");
    }

    [Fact]
    public async Task A_message_sent_while_the_recipient_is_offline_is_delivered_at_the_next_login_even_after_a_restart()
    {
        await using var daemon = await StartWithUsersAsync("alice", "bob");
        AssertExit(XmppClient.Done, await XmppClient.RunAsync(daemon, "alice", Password("alice"), "send", $"bob@{DaemonProcess.XmppDomain}", "while you were out"));
        Assert.Equal(0, (await daemon.TerminateAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await daemon.StartAndWaitReadyAsync();

        var bob = await XmppClient.RunAsync(daemon, "bob", Password("bob"), "receive", "1", "15");

        AssertExit(XmppClient.Done, bob);
        Assert.Contains("body=while you were out", bob.Output);
    }

    [Fact]
    public async Task Presence_with_show_and_status_reaches_a_roster_contact()
    {
        await using var daemon = await StartWithUsersAsync("alice", "bob");
        var (bob, _) = await XmppClient.StartAsync(daemon, "bob", Password("bob"), "ready:", ["--show", "away", "--status", "in a meeting"], "receive", "99", "20");
        try
        {
            var alice = await XmppClient.RunAsync(daemon, "alice", Password("alice"), "presence", $"bob@{DaemonProcess.XmppDomain}", "10");

            AssertExit(XmppClient.Done, alice);
            Assert.Contains("show=away status=in a meeting", alice.Output);
        }
        finally
        {
            bob.Kill();
        }
    }
}
