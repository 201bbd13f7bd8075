using Pbx.Server.Configuration;
using Pbx.Telephony.Accounts;
using Pbx.Xmpp.Auth;

namespace Pbx.Server.Xmpp;

/// <summary>PBX users as XMPP accounts: same login ID and password, roster shared by all users or by group.</summary>
internal sealed class PbxXmppDirectory(IDirectoryStore directory, PbxOptions options) : IXmppUserDirectory
{
    public async ValueTask<ScramCredential?> GetScramCredentialAsync(string loginId, ScramHash hash, CancellationToken cancellationToken)
    {
        var material = await directory.FindPasswordAsync(loginId, cancellationToken);
        return hash == ScramHash.Sha1 ? material?.ScramSha1 : material?.ScramSha256;
    }

    public async ValueTask<bool> VerifyPasswordAsync(string loginId, string password, CancellationToken cancellationToken)
    {
        var material = await directory.FindPasswordAsync(loginId, cancellationToken);
        return material is not null && ScramCredentialDeriver.VerifyPassword(password, material.ScramSha256);
    }

    public async ValueTask<bool> UserExistsAsync(string loginId, CancellationToken cancellationToken) =>
        await directory.FindUserAsync(loginId, cancellationToken) is not null;

    public async ValueTask<IReadOnlyList<SharedRosterEntry>> GetSharedRosterAsync(string loginId, CancellationToken cancellationToken)
    {
        var users = await directory.ListUsersAsync(cancellationToken);
        var groups = await directory.ListGroupsAsync(cancellationToken);
        var groupsOf = users.ToDictionary(
            u => u.LoginId,
            u => (IReadOnlyList<string>)groups.Where(g => g.MemberLoginIds.Contains(u.LoginId, StringComparer.OrdinalIgnoreCase)).Select(g => g.Name).ToList(),
            StringComparer.OrdinalIgnoreCase);
        var mine = groupsOf.GetValueOrDefault(loginId) ?? [];
        return users
            .Where(u => !u.LoginId.Equals(loginId, StringComparison.OrdinalIgnoreCase))
            .Where(u => options.Xmpp.SharedRoster == SharedRosterScope.All || groupsOf[u.LoginId].Intersect(mine, StringComparer.OrdinalIgnoreCase).Any())
            .Select(u => new SharedRosterEntry(u.LoginId.ToLowerInvariant(), u.DisplayName, groupsOf[u.LoginId].Count > 0 ? groupsOf[u.LoginId] : ["PBX"]))
            .ToList();
    }
}
