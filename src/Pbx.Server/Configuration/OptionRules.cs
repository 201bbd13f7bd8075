using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pbx.Server.Configuration;

internal static class OptionRules
{
    public static void Port(List<ConfigError> errors, string key, int value, bool allowZero)
    {
        if (value < (allowZero ? 0 : 1) || value > 65535)
            errors.Add(new(key, $"{value} is out of range {(allowZero ? "0 (off)" : "1")}-65535"));
    }

    public static void Range(List<ConfigError> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
            errors.Add(new(key, $"{value} is out of range {min}-{max}"));
    }

    public static void IpAddress(List<ConfigError> errors, string key, string value)
    {
        if (!IPAddress.TryParse(value, out _))
            errors.Add(new(key, $"'{value}' is not an IPv4 or IPv6 address"));
    }

    public static void Networks(List<ConfigError> errors, string key, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
            if (!IPNetwork.TryParse(values[i], out _))
                errors.Add(new($"{key}:{i}", $"'{values[i]}' is not a network such as 192.168.1.0/24 or 2001:db8::/32"));
    }

    public static bool IsDistinguishedName(string value)
    {
        try { return value.Length > 0 && new X500DistinguishedName(value).Name.Length > 0; }
        catch (CryptographicException) { return false; }
    }
}
