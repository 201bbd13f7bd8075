namespace Pbx.Sip.Auth;

/// <summary>Implemented by the host's user store: the server never sees plaintext passwords, only HA1.</summary>
public interface IDigestCredentialStore
{
    /// <summary>HA1 (lowercase hex, see <see cref="DigestHash.ComputeHa1"/>) for the user in the realm and algorithm.</summary>
    bool TryGetHa1(string username, string realm, DigestAlgorithm algorithm, out string ha1);
}
