using Pbx.Sip.Auth;
using Pbx.Xmpp.Auth;

namespace Pbx.Telephony.Accounts;

/// <summary>
/// What the PBX keeps instead of a password: SIP digest HA1 values for one realm and SCRAM salted keys for XMPP.
/// Each protocol verifies against its own material, so the plaintext is never stored. The derivations are the
/// stacks' own, so what is stored is exactly what they verify against.
/// </summary>
public sealed record PasswordMaterial(
    string DigestRealm,
    string DigestHa1Md5,
    string DigestHa1Sha256,
    ScramCredential ScramSha1,
    ScramCredential ScramSha256)
{
    /// <summary>RFC 7677 asks for at least 4096; more costs every XMPP login a little CPU.</summary>
    public const int ScramIterations = 10_000;

    public static PasswordMaterial Derive(string loginId, string realm, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new PasswordMaterial(
            realm,
            DigestHash.ComputeHa1(DigestAlgorithm.Md5, loginId, realm, password),
            DigestHash.ComputeHa1(DigestAlgorithm.Sha256, loginId, realm, password),
            ScramCredentialDeriver.Derive(password, ScramHash.Sha1, ScramIterations),
            ScramCredentialDeriver.Derive(password, ScramHash.Sha256, ScramIterations));
    }
}
