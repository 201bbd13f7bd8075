using System.Data;
using Microsoft.Data.Sqlite;

namespace Pbx.Storage.Sqlite;

/// <summary>
/// The PBX database file. Each operation takes a pooled connection; WAL lets readers run beside the writer,
/// and synchronous=FULL makes a committed transaction survive a power cut, not only a killed process.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path, TimeSpan? busyTimeout = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling((busyTimeout ?? TimeSpan.FromSeconds(5)).TotalSeconds),
            ForeignKeys = true,
        }.ToString();
        DapperSetup.EnsureConfigured();
    }

    public string Path { get; }

    /// <summary>Runs <paramref name="work"/> on an open connection, translating SQLite failures into <see cref="StorageException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct = default)
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(ct);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous=FULL;";
                await pragma.ExecuteNonQueryAsync(ct);
            }
            return await work(connection);
        }
        catch (SqliteException ex) when (SqliteErrors.Translate(ex, Path) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction: all of it commits, or nothing does.</summary>
    public Task<T> InTransactionAsync<T>(Func<SqliteConnection, IDbTransaction, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(async connection =>
        {
            // IMMEDIATE takes the write lock up front, so a read-then-write check cannot race another writer.
            await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(ct);
            return result;
        }, ct);
}
