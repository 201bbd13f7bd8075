using Dapper;
using Pbx.Telephony.Accounts;

namespace Pbx.Storage.Accounts;

public sealed partial class SqliteDirectoryStore
{
    private const string DeviceSelect = """
        SELECT d.id, u.login_id AS user_login_id, d.kind, d.name, d.number, d.max_ring_seconds
        FROM devices d JOIN users u ON u.id = d.user_id
        """;

    public Task<Device> AddDeviceAsync(NewDevice device, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var userId = await UserIdAsync(connection, tx, device.UserLoginId)
                ?? throw new DirectoryRuleException(DirectoryFault.UnknownReference, "user", $"no user with login ID '{device.UserLoginId}'");
            var id = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO devices (user_id, kind, name, number, max_ring_seconds)
                VALUES (@userId, @kind, @Name, @Number, @MaxRingSeconds) RETURNING id
                """, new { userId, kind = device.Kind.ToString(), device.Name, device.Number, device.MaxRingSeconds }, tx);
            return (await connection.QuerySingleAsync<DeviceRow>($"{DeviceSelect} WHERE d.id = @id", new { id }, tx)).ToDevice();
        }, ct);

    public Task<IReadOnlyList<Device>> ListDevicesAsync(string? userLoginId = null, CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyList<Device>>(async connection =>
            (await connection.QueryAsync<DeviceRow>(
                $"{DeviceSelect} WHERE @userLoginId IS NULL OR u.login_id = @userLoginId ORDER BY u.login_id, d.id", new { userLoginId }))
            .Select(r => r.ToDevice()).ToList(), ct);

    public Task<bool> RemoveDeviceAsync(long deviceId, CancellationToken ct = default) =>
        database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM devices WHERE id = @deviceId", new { deviceId }, tx) > 0, ct);

    private sealed class DeviceRow
    {
        public long Id { get; init; }
        public string UserLoginId { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Number { get; init; }
        public long? MaxRingSeconds { get; init; }

        public Device ToDevice() => new(Id, UserLoginId, Enum.Parse<DeviceKind>(Kind), Name, Number, (int?)MaxRingSeconds);
    }
}
