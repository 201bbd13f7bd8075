using Dapper;
using Pbx.Storage.Sqlite;

namespace Pbx.Storage.Migrations;

/// <summary>Brings a database file to the latest schema, one transaction per step, tracked in PRAGMA user_version.</summary>
public static class Migrator
{
    /// <returns>The schema version the database had before.</returns>
    public static Task<int> MigrateAsync(SqliteDatabase database, CancellationToken ct = default) =>
        MigrateAsync(database, Schema.Migrations, ct);

    public static async Task<int> MigrateAsync(SqliteDatabase database, IReadOnlyList<Migration> migrations, CancellationToken ct = default)
    {
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        return await database.RunAsync(async connection =>
        {
            // WAL is a property of the file, so setting it once here covers every later connection.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
            var before = await connection.ExecuteScalarAsync<int>("PRAGMA user_version;");
            if (before > latest)
                throw new StorageException(
                    $"database {database.Path} has schema version {before}, newer than this build knows ({latest}); run a newer Pbx.Server or restore a backup");
            foreach (var migration in migrations.Where(m => m.Version > before))
            {
                await using var transaction = connection.BeginTransaction(deferred: false);
                await connection.ExecuteAsync(migration.Sql, transaction: transaction);
                // PRAGMA takes no parameters; the version is an int from our own table, not input.
                await connection.ExecuteAsync($"PRAGMA user_version = {migration.Version};", transaction: transaction);
                await transaction.CommitAsync(ct);
            }
            return before;
        }, ct);
    }

    public static Task<int> CurrentVersionAsync(SqliteDatabase database, CancellationToken ct = default) =>
        database.RunAsync(connection => connection.ExecuteScalarAsync<int>("PRAGMA user_version;"), ct);
}
