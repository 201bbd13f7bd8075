using System.CommandLine;

namespace Pbx.Cli;

internal sealed class GlobalOptions
{
    public Option<string> Url { get; } = new("--url")
    {
        Description = "Admin API base URL (env PBX_ADMIN_URL)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PBX_ADMIN_URL") ?? "http://127.0.0.1:8088",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Admin token (env PBX_ADMIN_TOKEN; otherwise the admin-token file in --data-dir, ./data or /var/lib/pbx)",
        Recursive = true,
    };

    public Option<string?> DataDir { get; } = new("--data-dir")
    {
        Description = "The daemon's data directory, where a generated admin-token file is",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON instead of a table", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(DataDir);
        root.Options.Add(Json);
    }
}
