using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

public sealed class PbxCtlTests
{
    [Fact]
    public async Task Users_numbers_and_groups_added_with_pbxctl_are_listed_again_after_a_restart()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();

        await Expect(daemon.PbxCtlWithInputAsync("secret-password", "user", "add", "alice", "--name", "Alice Example", "--password-stdin"), "alice");
        await Expect(daemon.PbxCtlAsync("user", "add", "bob", "--name", "Bob Example", "--password", "another-secret", "--language", "de"), "bob");
        await Expect(daemon.PbxCtlAsync("number", "add", "100", "--user", "alice"), "100");
        await Expect(daemon.PbxCtlAsync("number", "add", "+4930123456", "--user", "alice"), "External");
        await Expect(daemon.PbxCtlAsync("group", "add", "Support", "bob", "alice", "--ring-mode", "Hunting"), "bob,alice");
        await Expect(daemon.PbxCtlAsync("device", "add", "alice", "--kind", "DeskPhone", "--name", "Desk"), "DeskPhone");

        Assert.Equal(0, (await daemon.TerminateAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await daemon.StartAndWaitReadyAsync();

        var users = await Expect(daemon.PbxCtlAsync("user", "list"), "Alice Example");
        Assert.Contains("Bob Example", users);
        var numbers = await Expect(daemon.PbxCtlAsync("number", "list"), "Internal");
        Assert.Contains(numbers.Split('\n'), line => line.StartsWith("100 ", StringComparison.Ordinal) && line.Contains("alice"));
        await Expect(daemon.PbxCtlAsync("group", "show", "support"), "Hunting");
        await Expect(daemon.PbxCtlAsync("device", "list", "--user", "alice"), "Desk");
    }

    [Fact]
    public async Task Refused_requests_print_the_field_and_exit_1_and_an_unreachable_daemon_exits_2()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        await Expect(daemon.PbxCtlAsync("user", "add", "carol", "--password", "long-enough-1"), "carol");

        var duplicate = await daemon.PbxCtlAsync("user", "add", "carol", "--password", "long-enough-2");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("loginId: login ID 'carol' is already taken", duplicate.Error);

        var badNumber = await daemon.PbxCtlAsync("number", "add", "12x", "--user", "carol");
        Assert.Equal(1, badNumber.ExitCode);
        Assert.Contains("number:", badNumber.Error);

        await daemon.TerminateAsync(TimeSpan.FromSeconds(30));
        var unreachable = await daemon.PbxCtlAsync("user", "list");
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains("cannot reach the daemon", unreachable.Error);
    }

    private static async Task<string> Expect(Task<ProcessResult> run, string expected)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output}\n{result.Error}");
        Assert.Contains(expected, result.Output);
        return result.Output;
    }
}
