using System.Security.Cryptography;
using System.Text;

namespace Pbx.Sip.Auth;

/// <summary>The digest computations of RFC 2617 §3.2.2 / RFC 7616 §3.4.1, lowercase hex throughout.</summary>
public static class DigestHash
{
    /// <summary>HA1 = H(username:realm:password): what the user store keeps instead of the password.</summary>
    public static string ComputeHa1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hex(algorithm, $"{username}:{realm}:{password}");

    /// <summary>request-digest for qop=auth: H(HA1:nonce:nc:cnonce:qop:H(method:uri)); without qop (RFC 2069): H(HA1:nonce:HA2).</summary>
    public static string ComputeResponse(DigestAlgorithm algorithm, string ha1, string nonce, string? nonceCount, string? cnonce,
        string? qop, string method, string digestUri)
    {
        string ha2 = Hex(algorithm, $"{method}:{digestUri}");
        return string.IsNullOrEmpty(qop)
            ? Hex(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hex(algorithm, $"{ha1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }

    public static string Hex(DigestAlgorithm algorithm, string input)
    {
        byte[] data = Encoding.UTF8.GetBytes(input);
        byte[] hash = algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(data) : MD5.HashData(data);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Constant-time comparison of two hex digests, case-insensitive.</summary>
    internal static bool HexEquals(string expected, string actual)
    {
        if (expected.Length != actual.Length) return false;
        int diff = 0;
        for (int i = 0; i < expected.Length; i++) diff |= char.ToLowerInvariant(expected[i]) ^ char.ToLowerInvariant(actual[i]);
        return diff == 0;
    }
}
