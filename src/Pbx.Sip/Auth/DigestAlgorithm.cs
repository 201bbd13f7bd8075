namespace Pbx.Sip.Auth;

/// <summary>Digest hash algorithms for SIP (RFC 8760 registers MD5 and SHA-256 for SIP; -sess variants are not offered).</summary>
public enum DigestAlgorithm : byte
{
    Md5,
    Sha256,
}

public static class DigestAlgorithms
{
    public static string GetName(this DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha256 ? "SHA-256" : "MD5";

    public static bool TryParse(string? name, out DigestAlgorithm algorithm)
    {
        // Absent means MD5 (RFC 2617 §3.2.1).
        if (string.IsNullOrEmpty(name) || name.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5;
            return true;
        }
        if (name.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256;
            return true;
        }
        algorithm = default;
        return false;
    }
}
