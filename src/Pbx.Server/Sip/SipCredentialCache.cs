using System.Collections.Frozen;
using Pbx.Sip.Auth;
using Pbx.Telephony.Accounts;

namespace Pbx.Server.Sip;

/// <summary>
/// HA1 values of every user in memory, so digest verification never waits for the database and an unknown user
/// (a scanner's guess) costs nothing. Refreshed from the store whenever a user changes.
/// </summary>
internal sealed class SipCredentialCache : IDigestCredentialStore, IDisposable
{
    private readonly IDirectoryStore _directory;
    private volatile FrozenDictionary<string, PasswordMaterial> _byLogin = FrozenDictionary<string, PasswordMaterial>.Empty;

    public SipCredentialCache(IDirectoryStore directory)
    {
        _directory = directory;
        _directory.UserChanged += OnUserChanged;
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        var all = await _directory.ListPasswordsAsync(ct);
        _byLogin = all.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public bool TryGetHa1(string username, string realm, DigestAlgorithm algorithm, out string ha1)
    {
        ha1 = "";
        // HA1 binds the realm: material derived for another realm cannot verify, so it must not be tried.
        if (!_byLogin.TryGetValue(username, out var material) || material.DigestRealm != realm) return false;
        ha1 = algorithm == DigestAlgorithm.Sha256 ? material.DigestHa1Sha256 : material.DigestHa1Md5;
        return true;
    }

    private void OnUserChanged(string loginId) => _ = RefreshAsync();

    private async Task RefreshAsync()
    {
        // A whole reload keeps the cache exactly the store's copy; users change rarely, REGISTERs arrive constantly.
        try { await LoadAsync(CancellationToken.None); }
        catch (Pbx.Storage.Sqlite.StorageException) { /* keep the last good copy; the next change retries */ }
    }

    public void Dispose() => _directory.UserChanged -= OnUserChanged;
}
