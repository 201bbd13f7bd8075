namespace Pbx.Telephony.Accounts;

/// <summary>
/// Users, numbers, devices and groups. Writes are atomic: a refused write (<see cref="DirectoryRuleException"/>)
/// leaves nothing behind.
/// </summary>
/// <summary>A committed change to a user; <see cref="NewPassword"/> is null when the password did not change.</summary>
public sealed record UserChange(string LoginId, PasswordMaterial? NewPassword, bool Deleted);

public interface IDirectoryStore
{
    Task<User> CreateUserAsync(NewUser user, PasswordMaterial password, CancellationToken ct = default);
    Task<User?> FindUserAsync(string loginId, CancellationToken ct = default);
    Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default);
    /// <returns>The updated user, or null when no such user exists.</returns>
    Task<User?> UpdateUserAsync(string loginId, UserChanges changes, PasswordMaterial? newPassword, CancellationToken ct = default);
    /// <summary>Deletes the user with its devices and numbers and removes it from groups.</summary>
    Task<bool> DeleteUserAsync(string loginId, CancellationToken ct = default);
    Task<PasswordMaterial?> FindPasswordAsync(string loginId, CancellationToken ct = default);

    /// <summary>Every user's password material by login ID, for caches that must answer without a database round trip.</summary>
    Task<IReadOnlyDictionary<string, PasswordMaterial>> ListPasswordsAsync(CancellationToken ct = default);

    /// <summary>
    /// Raised after a user was created, changed or deleted, before the call that changed it returns, so a cache that
    /// applies it is never behind the database when the admin gets the answer.
    /// </summary>
    event Action<UserChange>? UserChanged;

    Task<PhoneNumber> AssignNumberAsync(string number, string? userLoginId, string? groupName, CancellationToken ct = default);
    Task<IReadOnlyList<PhoneNumber>> ListNumbersAsync(CancellationToken ct = default);
    Task<PhoneNumber?> FindNumberAsync(string number, CancellationToken ct = default);
    Task<bool> RemoveNumberAsync(string number, CancellationToken ct = default);

    Task<Device> AddDeviceAsync(NewDevice device, CancellationToken ct = default);
    Task<IReadOnlyList<Device>> ListDevicesAsync(string? userLoginId = null, CancellationToken ct = default);
    Task<bool> RemoveDeviceAsync(long deviceId, CancellationToken ct = default);

    Task<Group> CreateGroupAsync(NewGroup group, CancellationToken ct = default);
    Task<Group?> FindGroupAsync(string name, CancellationToken ct = default);
    Task<IReadOnlyList<Group>> ListGroupsAsync(CancellationToken ct = default);
    /// <returns>The group with its new members, or null when no such group exists.</returns>
    Task<Group?> SetGroupMembersAsync(string name, IReadOnlyList<string> memberLoginIds, CancellationToken ct = default);
    Task<bool> DeleteGroupAsync(string name, CancellationToken ct = default);
}
