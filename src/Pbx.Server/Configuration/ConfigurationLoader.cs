using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Pbx.Server.Configuration;

/// <summary>The outcome of reading the configuration: usable options, or every error found.</summary>
public sealed record LoadedConfiguration(IConfigurationRoot? Root, PbxOptions? Options, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Layers, later wins: the embedded config/pbx.json, the file given with --config, then PBX__Section__Key
/// environment variables. All problems are collected so the admin fixes them in one round.
/// </summary>
public static class ConfigurationLoader
{
    public const string EnvironmentPrefix = "PBX__";
    private const string EmbeddedDefaults = "Pbx.Server.pbx.json";

    public static LoadedConfiguration Load(string? configPath, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        var errors = new List<ConfigError>();
        builder.AddJsonStream(typeof(ConfigurationLoader).Assembly.GetManifestResourceStream(EmbeddedDefaults)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedDefaults} is missing from the build"));
        if (configPath is not null)
        {
            var full = Path.GetFullPath(configPath);
            if (CheckFile(full) is { } fileError)
                return new LoadedConfiguration(null, null, [new ConfigError("--config", fileError)]);
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null) builder.AddInMemoryCollection(overrides);

        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            return new LoadedConfiguration(null, null, [new ConfigError(configPath ?? "configuration", DescribeJsonError(ex))]);
        }

        errors.AddRange(ConfigurationShape.Check(root, typeof(PbxOptions), ignoredSections: ["Logging"]));
        if (errors.Count > 0) return new LoadedConfiguration(root, null, errors);
        var options = new PbxOptions();
        root.Bind(options);
        errors.AddRange(options.Validate());
        return new LoadedConfiguration(root, errors.Count == 0 ? options : null, errors);
    }

    private static string? CheckFile(string path)
    {
        if (Directory.Exists(path)) return $"'{path}' is a directory, not a JSON file";
        if (!File.Exists(path)) return $"file '{path}' does not exist";
        try { using var _ = File.OpenRead(path); return null; }
        catch (UnauthorizedAccessException) { return $"file '{path}' cannot be read: permission denied"; }
        catch (IOException ex) { return $"file '{path}' cannot be read: {ex.Message}"; }
    }

    private static string DescribeJsonError(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
            if (inner is JsonException json)
                return $"invalid JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}: {json.Message.Split(" LineNumber:")[0].Split(" Path:")[0]}";
        return $"invalid JSON: {ex.Message}";
    }
}
