using Dapper;
using Microsoft.Data.Sqlite;
using Pbx.Storage.Migrations;
using Pbx.Storage.Sqlite;

namespace Pbx.Storage.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Empty_file_is_brought_to_the_latest_schema_in_wal_mode()
    {
        using var db = new TempDatabase();
        var before = await Migrator.MigrateAsync(db.Database);

        Assert.Equal(0, before);
        Assert.Equal(Schema.LatestVersion, await Migrator.CurrentVersionAsync(db.Database));
        var mode = await db.Database.RunAsync(c => c.ExecuteScalarAsync<string>("PRAGMA journal_mode;"));
        Assert.Equal("wal", mode);
        var tables = await db.Database.RunAsync(c => c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"));
        Assert.Superset(new HashSet<string> { "users", "numbers", "devices", "groups", "group_members", "call_journal", "chat_journal" }, tables.ToHashSet());
    }

    [Fact]
    public async Task Previous_schema_with_data_is_upgraded_and_keeps_its_rows()
    {
        using var db = new TempDatabase();
        await Migrator.MigrateAsync(db.Database, Schema.Migrations.Take(Schema.LatestVersion - 1).ToList());
        await db.Database.RunAsync(c => c.ExecuteAsync("""
            INSERT INTO users (login_id, display_name, language, created_at, digest_realm, digest_ha1_md5, digest_ha1_sha256,
              scram_sha1_salt, scram_sha1_iterations, scram_sha1_stored_key, scram_sha1_server_key,
              scram_sha256_salt, scram_sha256_iterations, scram_sha256_stored_key, scram_sha256_server_key)
            VALUES ('alice', 'Alice', 'en', '2026-01-01T00:00:00.0000000Z', 'pbx', 'x', 'y', x'00', 1, x'00', x'00', x'00', 1, x'00', x'00')
            """));

        var before = await Migrator.MigrateAsync(db.Database);

        Assert.Equal(Schema.LatestVersion - 1, before);
        Assert.Equal(Schema.LatestVersion, await Migrator.CurrentVersionAsync(db.Database));
        Assert.Equal("Alice", await db.Database.RunAsync(c => c.ExecuteScalarAsync<string>("SELECT display_name FROM users WHERE login_id = 'ALICE'")));
    }

    [Fact]
    public async Task The_call_journal_rebuilt_for_redirected_rows_keeps_its_rows_and_ids()
    {
        using var db = new TempDatabase();
        await Migrator.MigrateAsync(db.Database, Schema.Migrations.Where(m => m.Version < 6).ToList());
        await db.Database.RunAsync(c => c.ExecuteAsync("""
            INSERT INTO call_journal (id, user_login_id, call_id, direction, local_number, remote_number, started_at, ended_at, result)
            VALUES (7, 'bob', 'c1', 'Incoming', '101', '100', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:05.0000000Z', 'Missed')
            """));

        await Migrator.MigrateAsync(db.Database);
        await db.Database.RunAsync(c => c.ExecuteAsync("""
            INSERT INTO call_journal (user_login_id, call_id, direction, local_number, remote_number, started_at, ended_at, result)
            VALUES ('bob', 'c2', 'Incoming', '101', '100', '2026-01-02T00:00:00.0000000Z', '2026-01-02T00:00:05.0000000Z', 'Redirected')
            """));

        var rows = (await db.Database.RunAsync(c => c.QueryAsync<(long Id, string Result)>("SELECT id, result FROM call_journal ORDER BY id"))).ToList();
        Assert.Equal([(7L, "Missed"), (8L, "Redirected")], rows);
        Assert.Equal(1, await db.Database.RunAsync(c => c.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'call_journal_user_started'")));
    }

    [Fact]
    public async Task Running_migrations_twice_changes_nothing()
    {
        using var db = await TempDatabase.MigratedAsync();
        Assert.Equal(Schema.LatestVersion, await Migrator.MigrateAsync(db.Database));
    }

    [Fact]
    public async Task A_failing_step_leaves_the_previous_version_and_no_partial_tables()
    {
        using var db = new TempDatabase();
        var broken = Schema.Migrations.Append(new Migration(Schema.LatestVersion + 1, "broken", "CREATE TABLE half (x); THIS IS NOT SQL;")).ToList();

        await Assert.ThrowsAsync<SqliteException>(() => Migrator.MigrateAsync(db.Database, broken));

        Assert.Equal(Schema.LatestVersion, await Migrator.CurrentVersionAsync(db.Database));
        Assert.Equal(0, await db.Database.RunAsync(c => c.ExecuteScalarAsync<int>("SELECT count(*) FROM sqlite_master WHERE name = 'half'")));
    }

    [Fact]
    public async Task A_newer_schema_than_the_build_knows_is_refused_with_a_clear_message()
    {
        using var db = await TempDatabase.MigratedAsync();
        await db.Database.RunAsync(c => c.ExecuteAsync("PRAGMA user_version = 999;"));

        var error = await Assert.ThrowsAsync<StorageException>(() => Migrator.MigrateAsync(db.Database));
        Assert.Contains("newer than this build", error.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_gives_a_clear_error()
    {
        using var db = new TempDatabase();
        await File.WriteAllTextAsync(db.FilePath, new string('x', 8192));

        var error = await Assert.ThrowsAsync<StorageException>(() => Migrator.MigrateAsync(db.Database));
        Assert.Contains("corrupt or not a SQLite database", error.Message);
    }

    [Fact]
    public async Task A_database_locked_by_another_writer_gives_a_clear_error()
    {
        using var db = await TempDatabase.MigratedAsync();
        await using var holder = new SqliteConnection($"Data Source={db.FilePath};Pooling=false");
        await holder.OpenAsync();
        await holder.ExecuteAsync("BEGIN EXCLUSIVE;");

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            db.Database.InTransactionAsync((c, tx) => c.ExecuteAsync("DELETE FROM users", transaction: tx)));
        Assert.Contains("locked", error.Message);
    }
}
