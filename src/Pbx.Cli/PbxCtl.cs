using System.CommandLine;
using Pbx.Cli.Commands;

namespace Pbx.Cli;

/// <summary>pbxctl: the admin API from a shell. Exit codes: 0 done, 1 refused by the daemon, 2 usage or connection problem.</summary>
public static class PbxCtl
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("pbxctl: manage a Pbx.Server through its admin API");
        globals.AddTo(root);
        var context = new CommandContext(globals, output, error);
        root.Subcommands.Add(UserCommands.Create(context));
        root.Subcommands.Add(NumberCommands.Create(context));
        root.Subcommands.Add(DeviceCommands.Create(context));
        root.Subcommands.Add(GroupCommands.Create(context));
        root.Subcommands.Add(JournalCommands.Create(context));
        foreach (var command in RoutingCommands.Create(context)) root.Subcommands.Add(command);
        root.Subcommands.Add(SipCommands.Registrations(context));
        root.Subcommands.Add(SipCommands.Trunks(context));
        root.Subcommands.Add(CallCommands.Calls(context));
        root.Subcommands.Add(CallCommands.Callback(context));
        foreach (var command in ConferenceCommands.Create(context)) root.Subcommands.Add(command);
        root.Subcommands.Add(SipCommands.Bans(context));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors) await error.WriteLineAsync($"pbxctl: {problem.Message}");
            await error.WriteLineAsync("pbxctl: see 'pbxctl --help'");
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}
