using Pbx.Server.Configuration;

namespace Pbx.Server.Hosting;

internal static class DataDirectory
{
    /// <summary>
    /// An explicit Storage:DataDirectory wins; under systemd, StateDirectory= hands us $STATE_DIRECTORY
    /// (/var/lib/pbx); run from a checkout, ./data.
    /// </summary>
    public static string Resolve(StorageOptions options)
    {
        if (options.DataDirectory.Length > 0) return Path.GetFullPath(options.DataDirectory);
        var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(state)) return Path.GetFullPath(state.Split(':')[0]);
        return Path.GetFullPath("data");
    }

    /// <exception cref="StartupException">The folder cannot be created or written.</exception>
    public static void Prepare(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Storage:DataDirectory: '{path}' is not a writable folder ({ex.Message})");
        }
    }
}
