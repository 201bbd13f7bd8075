using System.Reflection;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>Where the daemon and pbxctl were built, in the same configuration as these tests.</summary>
internal static class Binaries
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string Configuration =>
        typeof(Binaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BuildConfiguration").Value!;

    public static string Daemon => Output("Pbx.Server", "Pbx.Server.dll");
    public static string PbxCtl => Output("Pbx.Cli", "pbxctl.dll");

    private static string Output(string project, string file)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pbx.Server.sln"))) return dir.FullName;
        throw new InvalidOperationException("Pbx.Server.sln not found above the test output folder");
    }
}
