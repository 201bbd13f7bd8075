using System.Security.Cryptography;
using System.Text;

namespace Pbx.Xmpp.Auth;

public enum ScramHash
{
    Sha1,
    Sha256,
}

/// <summary>
/// What the server stores per user and hash for SCRAM (RFC 5802 §3): enough to verify a client
/// proof and prove itself back, but not enough to log in as the user.
/// </summary>
public sealed record ScramCredential(ScramHash Hash, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey);

/// <summary>Derives SCRAM material from a password so the host can store it instead of the password.</summary>
public static class ScramCredentialDeriver
{
    public const int DefaultIterations = 4096;
    public const int DefaultSaltBytes = 16;

    public static ScramCredential Derive(string password, ScramHash hash, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(DefaultSaltBytes);
        return Derive(password, hash, salt, iterations);
    }

    public static ScramCredential Derive(string password, ScramHash hash, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var saltedPassword = SaltedPassword(password, salt, iterations, hash);
        var clientKey = ScramPrimitives.Hmac(hash, saltedPassword, "Client Key"u8);
        var storedKey = ScramPrimitives.Hash(hash, clientKey);
        var serverKey = ScramPrimitives.Hmac(hash, saltedPassword, "Server Key"u8);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return new ScramCredential(hash, (byte[])salt.Clone(), iterations, storedKey, serverKey);
    }

    /// <summary>
    /// Checks a plaintext password (e.g. from SASL PLAIN) against stored SCRAM material, so the
    /// host never needs to keep the password itself.
    /// </summary>
    public static bool VerifyPassword(string password, ScramCredential credential)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(credential);
        var saltedPassword = SaltedPassword(password, credential.Salt, credential.Iterations, credential.Hash);
        var clientKey = ScramPrimitives.Hmac(credential.Hash, saltedPassword, "Client Key"u8);
        var storedKey = ScramPrimitives.Hash(credential.Hash, clientKey);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return CryptographicOperations.FixedTimeEquals(storedKey, credential.StoredKey);
    }

    internal static byte[] SaltedPassword(string password, byte[] salt, int iterations, ScramHash hash)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(SaslPrep(password));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, iterations, ScramPrimitives.HashName(hash),
                ScramPrimitives.HashLength(hash));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// An approximation of SASLprep (RFC 4013): non-ASCII spaces map to space and the result is
    /// NFKC-normalized. ASCII passwords, the common case for PBX accounts, pass unchanged.
    /// </summary>
    internal static string SaslPrep(string password)
    {
        if (Ascii.IsValid(password)) return password;
        var builder = new StringBuilder(password.Length);
        foreach (char c in password)
        {
            if (c == '\u00AD' || (c >= '\u200B' && c <= '\u200D') || c == '\u2060' || c == '\uFEFF') continue;
            builder.Append(char.IsWhiteSpace(c) ? ' ' : c);
        }
        return builder.ToString().Normalize(NormalizationForm.FormKC);
    }
}

internal static class ScramPrimitives
{
    public static HashAlgorithmName HashName(ScramHash hash) =>
        hash == ScramHash.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;

    public static int HashLength(ScramHash hash) => hash == ScramHash.Sha256 ? 32 : 20;

    public static byte[] Hmac(ScramHash hash, byte[] key, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);

    public static byte[] Hash(ScramHash hash, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha256 ? SHA256.HashData(data) : SHA1.HashData(data);
}
