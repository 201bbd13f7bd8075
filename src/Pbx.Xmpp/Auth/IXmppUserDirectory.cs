namespace Pbx.Xmpp.Auth;

/// <summary>
/// What the XMPP server needs to know about PBX users; implemented by the host. Login IDs are
/// passed as JID localparts, i.e. already lower-cased, so lookups must be case-insensitive.
/// </summary>
public interface IXmppUserDirectory
{
    /// <summary>The stored SCRAM material for the user and hash, or null for an unknown user (or no material for that hash).</summary>
    ValueTask<ScramCredential?> GetScramCredentialAsync(string loginId, ScramHash hash, CancellationToken cancellationToken);

    /// <summary>Checks a plaintext password (SASL PLAIN, only offered over TLS).</summary>
    ValueTask<bool> VerifyPasswordAsync(string loginId, string password, CancellationToken cancellationToken);

    /// <summary>True if the login ID is an existing, enabled PBX user.</summary>
    ValueTask<bool> UserExistsAsync(string loginId, CancellationToken cancellationToken);

    /// <summary>The users that appear automatically in this user's roster (subscription "both").</summary>
    ValueTask<IReadOnlyList<SharedRosterEntry>> GetSharedRosterAsync(string loginId, CancellationToken cancellationToken);
}

/// <summary>One member of a user's shared roster.</summary>
public sealed record SharedRosterEntry(string LoginId, string? DisplayName, IReadOnlyList<string> Groups);
