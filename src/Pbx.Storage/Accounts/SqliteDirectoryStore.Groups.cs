using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Pbx.Telephony.Accounts;

namespace Pbx.Storage.Accounts;

public sealed partial class SqliteDirectoryStore
{
    public Task<Group> CreateGroupAsync(NewGroup group, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await GroupIdAsync(connection, tx, group.Name) is not null)
                throw new DirectoryRuleException(DirectoryFault.Conflict, "name", $"group name '{group.Name}' is already taken");
            var id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO groups (name, ring_mode) VALUES (@Name, @ringMode) RETURNING id",
                new { group.Name, ringMode = group.RingMode.ToString() }, tx);
            await WriteMembersAsync(connection, tx, id, group.MemberLoginIds);
            return await ReadGroupAsync(connection, tx, id);
        }, ct);

    public Task<Group?> FindGroupAsync(string name, CancellationToken ct = default) =>
        database.InTransactionAsync<Group?>(async (connection, tx) =>
            await GroupIdAsync(connection, tx, name) is { } id ? await ReadGroupAsync(connection, tx, id) : null, ct);

    public Task<IReadOnlyList<Group>> ListGroupsAsync(CancellationToken ct = default) =>
        database.InTransactionAsync<IReadOnlyList<Group>>(async (connection, tx) =>
        {
            var groups = new List<Group>();
            foreach (var id in await connection.QueryAsync<long>("SELECT id FROM groups ORDER BY name", transaction: tx))
                groups.Add(await ReadGroupAsync(connection, tx, id));
            return groups;
        }, ct);

    public Task<Group?> SetGroupMembersAsync(string name, IReadOnlyList<string> memberLoginIds, CancellationToken ct = default) =>
        database.InTransactionAsync<Group?>(async (connection, tx) =>
        {
            if (await GroupIdAsync(connection, tx, name) is not { } id) return null;
            await connection.ExecuteAsync("DELETE FROM group_members WHERE group_id = @id", new { id }, tx);
            await WriteMembersAsync(connection, tx, id, memberLoginIds);
            return await ReadGroupAsync(connection, tx, id);
        }, ct);

    public Task<bool> DeleteGroupAsync(string name, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM groups WHERE name = @name", new { name }, tx) > 0, ct);

    private static Task<long?> GroupIdAsync(SqliteConnection connection, IDbTransaction tx, string name) =>
        connection.ExecuteScalarAsync<long?>("SELECT id FROM groups WHERE name = @name", new { name }, tx);

    private static async Task WriteMembersAsync(SqliteConnection connection, IDbTransaction tx, long groupId, IReadOnlyList<string> members)
    {
        for (var position = 0; position < members.Count; position++)
        {
            var userId = await UserIdAsync(connection, tx, members[position])
                ?? throw new DirectoryRuleException(DirectoryFault.UnknownReference, "members", $"no user with login ID '{members[position]}'");
            await connection.ExecuteAsync(
                "INSERT INTO group_members (group_id, user_id, position) VALUES (@groupId, @userId, @position)",
                new { groupId, userId, position }, tx);
        }
    }

    private static async Task<Group> ReadGroupAsync(SqliteConnection connection, IDbTransaction tx, long id)
    {
        var row = await connection.QuerySingleAsync<(string Name, string RingMode)>("SELECT name, ring_mode FROM groups WHERE id = @id", new { id }, tx);
        var members = await connection.QueryAsync<string>("""
            SELECT u.login_id FROM group_members m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = @id ORDER BY m.position
            """, new { id }, tx);
        return new Group(id, row.Name, Enum.Parse<RingMode>(row.RingMode), members.ToList());
    }
}
