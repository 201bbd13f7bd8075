using System.Globalization;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

public sealed class ConferenceCtlTests
{
    [Fact]
    public async Task A_room_and_a_daily_conference_added_with_pbxctl_are_listed_again_after_a_restart()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        await Expect(daemon.PbxCtlAsync("user", "add", "erin", "--password", "long-enough-1"), "erin");

        await Expect(daemon.PbxCtlAsync("conference-rooms", "add", "7000", "--name", "Team bridge", "--pin", "1234", "--max", "20"), "Team bridge");
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T09:30:00+01:00";
        await Expect(daemon.PbxCtlAsync("conferences", "add", "--name", "Standup", "--start", tomorrow, "--repeat", "daily", "--duration", "15",
            "--pin", "9876", "--participant", "erin:moderator:call", "--participant", "+4930123456"), "erin:moderator:call");

        var refused = await daemon.PbxCtlAsync("conferences", "add", "--name", "Nobody", "--start", tomorrow, "--participant", "ghost:moderator");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("participants[0].user:", refused.Error);

        Assert.Equal(0, (await daemon.TerminateAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await daemon.StartAndWaitReadyAsync();

        var rooms = await Expect(daemon.PbxCtlAsync("conference-rooms", "list"), "Team bridge");
        Assert.Contains(rooms.Split('\n'), line => line.StartsWith("7000 ", StringComparison.Ordinal) && line.Contains("1234"));
        var planned = await Expect(daemon.PbxCtlAsync("conferences", "list"), "Standup");
        Assert.Contains(planned.Split('\n'), line => line.Contains("daily") && line.Contains("9876") && line.Contains("erin:moderator:call,+4930123456"));
    }

    private static async Task<string> Expect(Task<ProcessResult> run, string expected)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output}\n{result.Error}");
        Assert.Contains(expected, result.Output);
        return result.Output;
    }
}
