using System.Security.Cryptography;
using System.Text;

namespace Pbx.Server.Security;

/// <summary>
/// The bearer token of the admin API. When the admin sets none, one is generated into a file only the daemon's
/// user can read, which is where pbxctl on the same machine finds it.
/// </summary>
public sealed class AdminToken
{
    public const string FileName = "admin-token";
    private readonly byte[] _expected;

    private AdminToken(string value, string? file)
    {
        _expected = Encoding.UTF8.GetBytes(value);
        File = file;
    }

    /// <summary>Where the generated token is kept, or null when it comes from configuration.</summary>
    public string? File { get; }

    public static AdminToken Resolve(string configured, string dataDirectory)
    {
        if (configured.Length > 0) return new AdminToken(configured, null);
        var path = Path.Combine(dataDirectory, FileName);
        if (System.IO.File.Exists(path))
        {
            var stored = System.IO.File.ReadAllText(path).Trim();
            if (stored.Length >= 16) return new AdminToken(stored, path);
        }
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, Encoding.ASCII, options)) writer.Write(token);
        return new AdminToken(token, path);
    }

    public bool Matches(ReadOnlySpan<char> presented)
    {
        Span<byte> buffer = stackalloc byte[1024];
        if (presented.Length > 256) return false;
        var length = Encoding.UTF8.GetBytes(presented, buffer);
        return CryptographicOperations.FixedTimeEquals(buffer[..length], _expected);
    }
}
