using Pbx.Storage.Accounts;
using Pbx.Telephony.Accounts;
using Pbx.Xmpp.Auth;

namespace Pbx.Storage.Tests;

public sealed class DirectoryStoreTests : IAsyncLifetime
{
    private TempDatabase _db = null!;
    private SqliteDirectoryStore _store = null!;
    // Cheap material: the store does not care how it was derived, and PBKDF2 would slow the suite.
    private static readonly PasswordMaterial Material = new("pbx", "md5", "sha256",
        new ScramCredential(ScramHash.Sha1, [1], 1, [2], [3]), new ScramCredential(ScramHash.Sha256, [4], 1, [5], [6]));

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.MigratedAsync();
        _store = new SqliteDirectoryStore(_db.Database, TimeProvider.System);
    }

    public Task DisposeAsync() { _db.Dispose(); return Task.CompletedTask; }

    private Task<User> AddUser(string login) => _store.CreateUserAsync(new NewUser(login, login.ToUpperInvariant(), $"{login}@example.com", "de", "unused"), Material);

    [Fact]
    public async Task User_round_trip_keeps_every_field_and_the_password_material()
    {
        var created = await AddUser("alice");

        var found = await _store.FindUserAsync("ALICE");
        Assert.Equal(created, found);
        Assert.Equal(("alice", "ALICE", "alice@example.com", "de"), (found!.LoginId, found.DisplayName, found.Email, found.Language));
        var material = await _store.FindPasswordAsync("alice");
        Assert.Equal(Material.DigestHa1Md5, material!.DigestHa1Md5);
        Assert.Equal(Material.ScramSha256.ServerKey, material.ScramSha256.ServerKey);
        Assert.Equal(Material.ScramSha1.Salt, material.ScramSha1.Salt);
    }

    [Fact]
    public async Task Duplicate_login_id_is_refused_case_insensitively_and_names_the_field()
    {
        await AddUser("alice");
        var error = await Assert.ThrowsAsync<DirectoryRuleException>(() => AddUser("Alice"));
        Assert.Equal((DirectoryFault.Conflict, "loginId"), (error.Fault, error.Field));
        Assert.Single(await _store.ListUsersAsync());
    }

    [Fact]
    public async Task Update_changes_only_given_fields_and_empty_email_clears_it()
    {
        await AddUser("bob");
        var updated = await _store.UpdateUserAsync("bob", new UserChanges(DisplayName: "Bob B.", Email: ""), null);
        Assert.Equal(("Bob B.", null, "de"), (updated!.DisplayName, updated.Email, updated.Language));
        Assert.Null(await _store.UpdateUserAsync("nobody", new UserChanges(DisplayName: "x"), null));
    }

    [Fact]
    public async Task A_number_belongs_to_one_owner_only()
    {
        await AddUser("alice");
        await AddUser("bob");
        var assigned = await _store.AssignNumberAsync("100", "alice", null);
        Assert.Equal(new PhoneNumber("100", NumberKind.Internal, "alice", null), assigned);

        var error = await Assert.ThrowsAsync<DirectoryRuleException>(() => _store.AssignNumberAsync("100", "bob", null));
        Assert.Equal((DirectoryFault.Conflict, "number"), (error.Fault, error.Field));
        Assert.Contains("alice", error.Message);

        var unknown = await Assert.ThrowsAsync<DirectoryRuleException>(() => _store.AssignNumberAsync("101", "carol", null));
        Assert.Equal((DirectoryFault.UnknownReference, "user"), (unknown.Fault, unknown.Field));
        Assert.Null(await _store.FindNumberAsync("101"));
    }

    [Fact]
    public async Task External_numbers_are_classified_and_group_numbers_resolve_to_the_group()
    {
        await AddUser("alice");
        await _store.CreateGroupAsync(new NewGroup("Support", RingMode.Hunting, ["alice"]));
        await _store.AssignNumberAsync("+4930123456", "alice", null);
        await _store.AssignNumberAsync("200", null, "support");

        var numbers = await _store.ListNumbersAsync();
        Assert.Contains(new PhoneNumber("+4930123456", NumberKind.External, "alice", null), numbers);
        Assert.Contains(new PhoneNumber("200", NumberKind.Internal, null, "Support"), numbers);
    }

    [Fact]
    public async Task Groups_keep_member_order_and_a_bad_member_writes_nothing()
    {
        foreach (var u in new[] { "a", "b", "c" }) await AddUser(u);
        await _store.CreateGroupAsync(new NewGroup("Sales", RingMode.Hunting, ["c", "a", "b"]));
        Assert.Equal(["c", "a", "b"], (await _store.FindGroupAsync("sales"))!.MemberLoginIds);

        var error = await Assert.ThrowsAsync<DirectoryRuleException>(() => _store.SetGroupMembersAsync("Sales", ["b", "ghost"]));
        Assert.Equal("members", error.Field);
        Assert.Equal(["c", "a", "b"], (await _store.FindGroupAsync("Sales"))!.MemberLoginIds);

        var failedCreate = await Assert.ThrowsAsync<DirectoryRuleException>(() => _store.CreateGroupAsync(new NewGroup("Ops", RingMode.Parallel, ["a", "ghost"])));
        Assert.Equal("members", failedCreate.Field);
        Assert.Null(await _store.FindGroupAsync("Ops"));
    }

    [Fact]
    public async Task Deleting_a_user_removes_its_devices_numbers_and_memberships()
    {
        await AddUser("alice");
        await AddUser("bob");
        await _store.AssignNumberAsync("100", "alice", null);
        var device = await _store.AddDeviceAsync(new NewDevice("alice", DeviceKind.CellNumber, "Cell", "+491701234567", 15));
        await _store.CreateGroupAsync(new NewGroup("Team", RingMode.Parallel, ["alice", "bob"]));

        Assert.Equal(new Device(device.Id, "alice", DeviceKind.CellNumber, "Cell", "+491701234567", 15), device);
        Assert.True(await _store.DeleteUserAsync("alice"));

        Assert.Empty(await _store.ListNumbersAsync());
        Assert.Empty(await _store.ListDevicesAsync());
        Assert.Equal(["bob"], (await _store.FindGroupAsync("Team"))!.MemberLoginIds);
        Assert.False(await _store.DeleteUserAsync("alice"));
    }

    [Fact]
    public async Task Every_committed_user_change_is_announced_with_its_new_password_material()
    {
        var changes = new List<UserChange>();
        _store.UserChanged += changes.Add;
        await AddUser("alice");
        await _store.UpdateUserAsync("alice", new UserChanges(DisplayName: "Alice B."), null);
        await _store.UpdateUserAsync("alice", new UserChanges(Password: "new-password"), Material with { DigestHa1Md5 = "changed" });
        await _store.DeleteUserAsync("alice");
        await _store.DeleteUserAsync("alice");
        await Assert.ThrowsAsync<DirectoryRuleException>(() => AddUser("ALICE").ContinueWith(_ => AddUser("alice")).Unwrap());

        Assert.Equal(
            [("alice", "md5", false), ("alice", null, false), ("alice", "changed", false), ("alice", null, true), ("ALICE", "md5", false)],
            changes.Select(c => (c.LoginId, c.NewPassword?.DigestHa1Md5, c.Deleted)));
    }

    [Fact]
    public async Task Devices_are_listed_per_user()
    {
        await AddUser("alice");
        await AddUser("bob");
        await _store.AddDeviceAsync(new NewDevice("alice", DeviceKind.DeskPhone, "Desk", null, null));
        await _store.AddDeviceAsync(new NewDevice("bob", DeviceKind.MobileClient, "iPhone", null, null));

        var alices = await _store.ListDevicesAsync("alice");
        Assert.Equal(("Desk", DeviceKind.DeskPhone), (Assert.Single(alices).Name, alices[0].Kind));
        Assert.Equal(2, (await _store.ListDevicesAsync()).Count);
        Assert.True(await _store.RemoveDeviceAsync(alices[0].Id));
        Assert.Empty(await _store.ListDevicesAsync("alice"));
    }
}
