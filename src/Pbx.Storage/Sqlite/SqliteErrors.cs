using Microsoft.Data.Sqlite;

namespace Pbx.Storage.Sqlite;

/// <summary>Turns SQLite result codes into messages an admin can act on.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14, NotADatabase = 26;

    public static StorageException? Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        Busy or Locked => new StorageException($"database {path} is locked by another process or connection (is a second daemon running on the same data directory?)", ex),
        Corrupt or NotADatabase => new StorageException($"database {path} is corrupt or not a SQLite database; restore it from a backup or move it away to start empty", ex),
        ReadOnly => new StorageException($"database {path} is read-only; check the data directory's permissions", ex),
        CantOpen => new StorageException($"database {path} cannot be opened; check that the data directory exists and is writable", ex),
        Full => new StorageException($"database {path}: the disk is full", ex),
        IoError => new StorageException($"database {path}: disk I/O error ({ex.Message})", ex),
        _ => null,
    };
}
