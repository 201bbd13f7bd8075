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
        var errors = new List<ConfigError>();
        var userLayers = new ConfigurationBuilder();
        if (configPath is not null)
        {
            var full = Path.GetFullPath(configPath);
            if (CheckFile(full) is { } fileError)
                return new LoadedConfiguration(null, null, [new ConfigError("--config", fileError)]);
            userLayers.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        userLayers.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null) userLayers.AddInMemoryCollection(overrides);

        IConfigurationRoot root;
        try
        {
            var user = userLayers.Build();
            root = new ConfigurationBuilder()
                .AddInMemoryCollection(DefaultsNotReplacedBy(user))
                .AddConfiguration(user)
                .Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            return new LoadedConfiguration(null, null, [new ConfigError(configPath ?? "configuration", DescribeJsonError(ex))]);
        }

        errors.AddRange(ConfigurationShape.Check(root, typeof(PbxOptions), ignoredSections: ["Logging"]));
        // Bind without the values already rejected, so the remaining ones are still judged in this same round.
        var rejected = errors.Select(e => e.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var options = new PbxOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(root.AsEnumerable().Where(entry => !rejected.Contains(entry.Key)))
            .Build()
            .Bind(options);
        errors.AddRange(options.Validate().Where(e => !rejected.Contains(e.Key)));
        return new LoadedConfiguration(root, errors.Count == 0 ? options : null, errors);
    }

    /// <summary>
    /// The embedded defaults, less every list the admin sets: .NET configuration merges lists element by element,
    /// so "Codecs": ["PCMA"] over the default four would otherwise still carry the default's last three.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> DefaultsNotReplacedBy(IConfiguration user)
    {
        using var stream = typeof(ConfigurationLoader).Assembly.GetManifestResourceStream(EmbeddedDefaults)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedDefaults} is missing from the build");
        var defaults = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var replacedLists = user.AsEnumerable().Select(entry => ListPath(entry.Key)).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return defaults.AsEnumerable()
            .Where(entry => entry.Value is not null && !replacedLists.Any(list => entry.Key.StartsWith(list + ":", StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    private static string? ListPath(string key)
    {
        var segments = key.Split(':');
        for (var i = 1; i < segments.Length; i++)
            if (int.TryParse(segments[i], out _)) return string.Join(':', segments[..i]);
        return null;
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
