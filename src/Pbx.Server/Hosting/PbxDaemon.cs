using System.CommandLine;
using System.Net.Sockets;
using Pbx.Server.Configuration;
using Pbx.Storage.Sqlite;

namespace Pbx.Server.Hosting;

/// <summary>The daemon's entry point: read and check the configuration, prepare storage, then run the host.</summary>
public static class PbxDaemon
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configOption = new Option<FileInfo?>("--config") { Description = "JSON configuration file layered over the embedded defaults" };
        var checkOption = new Option<bool>("--check-config") { Description = "Validate the configuration, print the problems and exit" };
        var root = new RootCommand("Pbx.Server: SIP/XMPP PBX daemon") { configOption, checkOption };
        var exitCode = ExitCodes.Ok;
        root.SetAction(async (parsed, ct) =>
        {
            exitCode = await RunHostAsync(parsed.GetValue(configOption)?.FullName, parsed.GetValue(checkOption));
            return exitCode;
        });
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors) await Console.Error.WriteLineAsync($"pbx: {error.Message}");
            return ExitCodes.BadConfiguration;
        }
        // The generic host handles SIGTERM itself (graceful drain, exit 0); System.CommandLine's own handler would
        // answer it with exit code 143 instead.
        var invoked = await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
        return invoked != 0 ? invoked : exitCode;
    }

    private static async Task<int> RunHostAsync(string? configPath, bool checkOnly)
    {
        var loaded = ConfigurationLoader.Load(configPath);
        if (!loaded.IsValid)
        {
            foreach (var error in loaded.Errors) await Console.Error.WriteLineAsync($"pbx: configuration error: {error}");
            return ExitCodes.BadConfiguration;
        }
        if (checkOnly)
        {
            Console.WriteLine("pbx: configuration is valid");
            return ExitCodes.Ok;
        }
        try
        {
            await using var app = await PbxHostBuilder.BuildAsync(loaded);
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (StartupException ex)
        {
            await Console.Error.WriteLineAsync($"pbx: cannot start: {ex.Message}");
            return ex.InnerException is StorageException ? ExitCodes.StorageUnavailable : ExitCodes.BadConfiguration;
        }
        catch (StorageException ex)
        {
            await Console.Error.WriteLineAsync($"pbx: storage error: {ex.Message}");
            return ExitCodes.StorageUnavailable;
        }
        catch (IOException ex) when (CausedBySocket(ex))
        {
            await Console.Error.WriteLineAsync($"pbx: cannot listen: {ex.Message}");
            return ExitCodes.CannotListen;
        }
        catch (Exception ex)
        {
            // A bug, not an admin's mistake: keep the whole trace for the report.
            await Console.Error.WriteLineAsync($"pbx: crashed: {ex}");
            return ExitCodes.Crashed;
        }
    }

    private static bool CausedBySocket(Exception ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
            if (inner is SocketException) return true;
        return false;
    }
}
