namespace Pbx.Storage.Sqlite;

/// <summary>The database cannot be used (locked, corrupt, unreadable, full): a message for an admin, not a stack trace.</summary>
public sealed class StorageException(string message, Exception? inner = null) : Exception(message, inner);
