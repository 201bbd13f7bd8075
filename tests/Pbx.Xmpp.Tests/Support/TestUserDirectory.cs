using Pbx.Xmpp.Auth;

namespace Pbx.Xmpp.Tests.Support;

/// <summary>An in-memory PBX user list keeping only derived SCRAM material plus a password for PLAIN.</summary>
internal sealed class TestUserDirectory : IXmppUserDirectory
{
    private readonly Dictionary<string, (ScramCredential Sha1, ScramCredential Sha256, string Password, string Display)> _users = new();
    private readonly HashSet<string> _sharedRosterMembers = [];

    /// <summary>Simulates the host's database being down.</summary>
    public bool FailLookups { get; set; }

    public TestUserDirectory Add(string login, string password, string display, bool inSharedRoster = true)
    {
        _users[login] = (ScramCredentialDeriver.Derive(password, ScramHash.Sha1, 1024),
            ScramCredentialDeriver.Derive(password, ScramHash.Sha256, 1024), password, display);
        if (inSharedRoster) _sharedRosterMembers.Add(login);
        return this;
    }

    public ValueTask<ScramCredential?> GetScramCredentialAsync(string loginId, ScramHash hash, CancellationToken cancellationToken) =>
        FailLookups ? throw new InvalidOperationException("database unavailable") : ValueTask.FromResult(_users.TryGetValue(loginId, out var user) ? (hash == ScramHash.Sha1 ? user.Sha1 : user.Sha256) : null);

    public ValueTask<bool> VerifyPasswordAsync(string loginId, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_users.TryGetValue(loginId, out var user) && user.Password == password);

    public ValueTask<bool> UserExistsAsync(string loginId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_users.ContainsKey(loginId));

    public ValueTask<IReadOnlyList<SharedRosterEntry>> GetSharedRosterAsync(string loginId, CancellationToken cancellationToken)
    {
        IReadOnlyList<SharedRosterEntry> entries = _sharedRosterMembers.Contains(loginId)
            ? _sharedRosterMembers.Where(m => m != loginId)
                .Select(m => new SharedRosterEntry(m, _users[m].Display, ["PBX"])).ToArray()
            : [];
        return ValueTask.FromResult(entries);
    }
}
