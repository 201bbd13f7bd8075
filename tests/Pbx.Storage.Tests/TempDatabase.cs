using Microsoft.Data.Sqlite;
using Pbx.Storage.Migrations;
using Pbx.Storage.Sqlite;

namespace Pbx.Storage.Tests;

/// <summary>A database file in its own temporary folder, deleted with the test.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pbx-storage-").FullName;

    public TempDatabase() => Database = new SqliteDatabase(FilePath, TimeSpan.FromSeconds(1));

    public string FilePath => Path.Combine(_folder, "pbx.db");
    public SqliteDatabase Database { get; }

    public static async Task<TempDatabase> MigratedAsync()
    {
        var db = new TempDatabase();
        await Migrator.MigrateAsync(db.Database);
        return db;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
