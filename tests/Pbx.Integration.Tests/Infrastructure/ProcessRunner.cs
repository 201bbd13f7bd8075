using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pbx.Integration.Tests.Infrastructure;

internal sealed record ProcessResult(int ExitCode, string Output, string Error);

internal static partial class ProcessRunner
{
    public static ProcessStartInfo Dotnet(string dll, IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The test runner's own environment must not leak settings into the daemon under test.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PBX_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        return info;
    }

    /// <summary>Runs a short-lived command to its end, with a hard time limit.</summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, TimeSpan limit, string? input = null)
    {
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null) await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {limit.TotalSeconds} s");
        }
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public static void SendSignal(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SigTerm = 15;
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
