using Dapper;
using Pbx.Telephony.Accounts;

namespace Pbx.Storage.Accounts;

public sealed partial class SqliteDirectoryStore
{
    private const string NumberSelect = """
        SELECT n.number, n.kind, u.login_id AS user_login_id, g.name AS group_name
        FROM numbers n LEFT JOIN users u ON u.id = n.user_id LEFT JOIN groups g ON g.id = n.group_id
        """;

    public Task<PhoneNumber> AssignNumberAsync(string number, string? userLoginId, string? groupName, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var kind = DirectoryRules.ClassifyNumber(number)
                ?? throw new ArgumentException($"'{number}' is not a valid number", nameof(number));
            var existing = await connection.QuerySingleOrDefaultAsync<NumberRow>($"{NumberSelect} WHERE n.number = @number", new { number }, tx);
            if (existing is not null)
                throw new DirectoryRuleException(DirectoryFault.Conflict, "number",
                    $"number {number} is already assigned to {(existing.UserLoginId is { } u ? $"user '{u}'" : $"group '{existing.GroupName}'")}");
            long? userId = null, groupId = null;
            if (userLoginId is not null)
                userId = await UserIdAsync(connection, tx, userLoginId)
                    ?? throw new DirectoryRuleException(DirectoryFault.UnknownReference, "user", $"no user with login ID '{userLoginId}'");
            else
                groupId = await GroupIdAsync(connection, tx, groupName!)
                    ?? throw new DirectoryRuleException(DirectoryFault.UnknownReference, "group", $"no group named '{groupName}'");
            await connection.ExecuteAsync(
                "INSERT INTO numbers (number, kind, user_id, group_id) VALUES (@number, @kind, @userId, @groupId)",
                new { number, kind = kind.ToString(), userId, groupId }, tx);
            return (await connection.QuerySingleAsync<NumberRow>($"{NumberSelect} WHERE n.number = @number", new { number }, tx)).ToNumber();
        }, ct);

    public Task<IReadOnlyList<PhoneNumber>> ListNumbersAsync(CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyList<PhoneNumber>>(async connection =>
            (await connection.QueryAsync<NumberRow>($"{NumberSelect} ORDER BY n.kind, n.number")).Select(r => r.ToNumber()).ToList(), ct);

    public Task<PhoneNumber?> FindNumberAsync(string number, CancellationToken ct = default) =>
        database.RunAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<NumberRow>($"{NumberSelect} WHERE n.number = @number", new { number }))?.ToNumber(), ct);

    public Task<bool> RemoveNumberAsync(string number, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM numbers WHERE number = @number", new { number }, tx) > 0, ct);

    private sealed class NumberRow
    {
        public string Number { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? UserLoginId { get; init; }
        public string? GroupName { get; init; }

        public PhoneNumber ToNumber() => new(Number, Enum.Parse<NumberKind>(Kind), UserLoginId, GroupName);
    }
}
