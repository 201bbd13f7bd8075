using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Xmpp.Blocking;

namespace Pbx.Storage.Xmpp;

/// <summary>Each user's XEP-0191 block list.</summary>
public sealed class SqliteBlockListStore(SqliteDatabase database) : IBlockListStore
{
    public ValueTask<IReadOnlyList<string>> GetAsync(string user, CancellationToken cancellationToken) =>
        new(database.RunAsync<IReadOnlyList<string>>(async connection =>
            (await connection.QueryAsync<string>("SELECT jid FROM block_list WHERE owner = @user ORDER BY jid", new { user })).ToList(),
            cancellationToken));

    public ValueTask AddAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) => connection.ExecuteAsync(
            "INSERT OR IGNORE INTO block_list (owner, jid) VALUES (@user, @jid)", jids.Select(jid => new { user, jid }), tx),
            cancellationToken));

    public ValueTask RemoveAsync(string user, IReadOnlyCollection<string> jids, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) => jids.Count == 0
            ? connection.ExecuteAsync("DELETE FROM block_list WHERE owner = @user", new { user }, tx)
            : connection.ExecuteAsync("DELETE FROM block_list WHERE owner = @user AND jid = @jid", jids.Select(jid => new { user, jid }), tx),
            cancellationToken));
}
