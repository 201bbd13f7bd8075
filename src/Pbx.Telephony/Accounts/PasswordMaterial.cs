using System.Security.Cryptography;
using System.Text;

namespace Pbx.Telephony.Accounts;

/// <summary>
/// What the PBX keeps instead of a password: SIP digest HA1 values for one realm and SCRAM salted keys for XMPP.
/// Each protocol verifies against its own material, so the plaintext never has to be stored.
/// </summary>
public sealed record PasswordMaterial(
    string DigestRealm,
    string DigestHa1Md5,
    string DigestHa1Sha256,
    ScramCredential ScramSha1,
    ScramCredential ScramSha256)
{
    /// <summary>RFC 7677 asks for at least 4096; OWASP's advice is higher, but every login pays for it.</summary>
    public const int ScramIterations = 10_000;

    public static PasswordMaterial Derive(string loginId, string realm, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var digestInput = Encoding.UTF8.GetBytes($"{loginId}:{realm}:{password}");
        return new PasswordMaterial(
            realm,
            Convert.ToHexStringLower(MD5.HashData(digestInput)),
            Convert.ToHexStringLower(SHA256.HashData(digestInput)),
            ScramCredential.Derive(HashAlgorithmName.SHA1, password, ScramIterations),
            ScramCredential.Derive(HashAlgorithmName.SHA256, password, ScramIterations));
    }
}

/// <summary>RFC 5802 server-side SCRAM material: the server can verify a client proof but cannot impersonate the client.</summary>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    public static ScramCredential Derive(HashAlgorithmName hash, string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hashLength = hash == HashAlgorithmName.SHA1 ? 20 : 32;
        // RFC 5802 §2.2: Hi() is PBKDF2 with HMAC as the PRF; the password is SASLprep'd, which for the
        // ASCII passwords admins set is the identity.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, hash, hashLength);
        var clientKey = Hmac(hash, salted, "Client Key"u8);
        var storedKey = hash == HashAlgorithmName.SHA1 ? SHA1.HashData(clientKey) : SHA256.HashData(clientKey);
        var serverKey = Hmac(hash, salted, "Server Key"u8);
        return new ScramCredential(salt, iterations, storedKey, serverKey);
    }

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, ReadOnlySpan<byte> data) =>
        hash == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);
}
