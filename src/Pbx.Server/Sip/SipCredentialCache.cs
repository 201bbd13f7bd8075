using System.Collections.Concurrent;
using Pbx.Sip.Auth;
using Pbx.Telephony.Accounts;

namespace Pbx.Server.Sip;

/// <summary>
/// HA1 values of every user in memory, so digest verification never waits for the database and an unknown user
/// (a scanner's guess) costs nothing. Loaded once at start, then kept current change by change: the store tells
/// us each committed change before the admin's request returns, so a phone registering right after never misses.
/// </summary>
internal sealed class SipCredentialCache : IDigestCredentialStore, IDisposable
{
    private readonly IDirectoryStore _directory;
    private readonly ConcurrentDictionary<string, PasswordMaterial> _byLogin = new(StringComparer.OrdinalIgnoreCase);

    public SipCredentialCache(IDirectoryStore directory)
    {
        _directory = directory;
        _directory.UserChanged += Apply;
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        foreach (var (login, material) in await _directory.ListPasswordsAsync(ct))
            _byLogin.TryAdd(login, material);
    }

    public bool TryGetHa1(string username, string realm, DigestAlgorithm algorithm, out string ha1)
    {
        ha1 = "";
        // HA1 binds the realm: material derived for another realm cannot verify, so it must not be tried.
        if (!_byLogin.TryGetValue(username, out var material) || material.DigestRealm != realm) return false;
        ha1 = algorithm == DigestAlgorithm.Sha256 ? material.DigestHa1Sha256 : material.DigestHa1Md5;
        return true;
    }

    private void Apply(UserChange change)
    {
        if (change.Deleted) _byLogin.TryRemove(change.LoginId, out _);
        else if (change.NewPassword is { } material) _byLogin[change.LoginId] = material;
    }

    public void Dispose() => _directory.UserChanged -= Apply;
}
