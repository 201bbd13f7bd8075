using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

public sealed class RoutingCtlTests
{
    [Fact]
    public async Task Dnd_and_redirections_set_with_pbxctl_survive_a_restart_and_bad_input_names_the_field()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        await Expect(daemon.PbxCtlAsync("user", "add", "dora", "--password", "long-enough-1"), "dora");

        await Expect(daemon.PbxCtlAsync("dnd", "dora", "on"), "\"active\":true");
        await Expect(daemon.PbxCtlAsync("redirect", "dora", "timeout", "--to", "voicemail", "--after", "25"), "\"seconds\":25");
        // A second redirection must keep the first: the command changes one kind, not the whole feature.
        await Expect(daemon.PbxCtlAsync("redirect", "dora", "busy", "--to", "+4930123456"), "\"seconds\":25");
        await Expect(daemon.PbxCtlAsync("routing", "set", "dora", "blacklist", """{"numbers": ["+4989123456"], "prefixes": ["+4990"]}"""), "+4990");

        var tooShort = await daemon.PbxCtlAsync("redirect", "dora", "timeout", "--to", "200", "--after", "2");
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("timeout.seconds:", tooShort.Error);

        Assert.Equal(0, (await daemon.TerminateAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await daemon.StartAndWaitReadyAsync();

        var shown = await Expect(daemon.PbxCtlAsync("routing", "show", "dora"), "+4930123456");
        Assert.Contains(shown.Split('\n'), line => line.StartsWith("dnd ", StringComparison.Ordinal) && line.Contains("\"active\":true"));
        Assert.Contains("\"mailbox\":\"dora\"", shown);
        await Expect(daemon.PbxCtlAsync("dnd", "dora", "off"), "\"active\":false");
        await Expect(daemon.PbxCtlAsync("redirect", "dora", "busy", "--off"), "\"busy\":null");
    }

    private static async Task<string> Expect(Task<ProcessResult> run, string expected)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output}\n{result.Error}");
        Assert.Contains(expected, result.Output);
        return result.Output;
    }
}
