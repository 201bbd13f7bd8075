using System.Security.Cryptography;
using Pbx.Sip.Auth;

namespace Pbx.Calls.Trunks;

/// <summary>Answers a provider's digest challenge (RFC 3261 §22.2, RFC 7616) with the trunk's credentials.</summary>
internal static class DigestClient
{
    /// <summary>
    /// The Authorization / Proxy-Authorization value for <paramref name="challenge"/> (a WWW-/Proxy-Authenticate value),
    /// or null when it is not a digest challenge we can answer (unknown algorithm, other realm than configured).
    /// </summary>
    public static string? Answer(ReadOnlySpan<byte> challenge, string method, string digestUri, string username, string password,
        string? configuredRealm)
    {
        if (!DigestCredentials.TryParse(challenge, out var parsed, out _) || parsed is not { IsDigest: true, Nonce: { } nonce }) return null;
        var realm = parsed.Realm ?? "";
        if (configuredRealm is { Length: > 0 } && !string.Equals(configuredRealm, realm, StringComparison.Ordinal)) return null;
        if (!DigestAlgorithms.TryParse(parsed.Algorithm ?? "MD5", out var algorithm)) return null;
        // Of the qop options offered, only "auth" is one we can do (auth-int would need the body hashed).
        var offersAuth = parsed.Qop?.Split(',', StringSplitOptions.TrimEntries).Contains("auth", StringComparer.OrdinalIgnoreCase) == true;
        if (parsed.Qop is not null && !offersAuth) return null;
        var ha1 = DigestHash.ComputeHa1(algorithm, username, realm, password);
        string? cnonce = offersAuth ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) : null;
        const string nc = "00000001";
        var response = DigestHash.ComputeResponse(algorithm, ha1, nonce, offersAuth ? nc : null, cnonce, offersAuth ? "auth" : null, method, digestUri);
        var value = $"Digest username=\"{Escape(username)}\", realm=\"{Escape(realm)}\", nonce=\"{Escape(nonce)}\", uri=\"{Escape(digestUri)}\", " +
                    $"response=\"{response}\", algorithm={algorithm.GetName()}";
        if (offersAuth) value += $", cnonce=\"{cnonce}\", qop=auth, nc={nc}";
        if (parsed.Opaque is { } opaque) value += $", opaque=\"{Escape(opaque)}\"";
        return value;
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
