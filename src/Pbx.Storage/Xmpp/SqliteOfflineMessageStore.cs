using System.Xml.Linq;
using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Xmpp.Messaging;

namespace Pbx.Storage.Xmpp;

/// <summary>Messages for users with no available resource, kept across restarts and bounded per user.</summary>
public sealed class SqliteOfflineMessageStore(SqliteDatabase database, TimeProvider time, int maxMessagesPerUser = 1000) : IOfflineMessageStore
{
    public ValueTask<bool> TryStoreAsync(string user, XElement message, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync(async (connection, tx) =>
        {
            var count = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM offline_messages WHERE owner = @user", new { user }, tx);
            if (count >= maxMessagesPerUser) return false;
            await connection.ExecuteAsync("INSERT INTO offline_messages (owner, stanza_xml, stored_at) VALUES (@user, @xml, @at)",
                new { user, xml = message.ToString(SaveOptions.DisableFormatting), at = DapperSetup.Format(time.GetUtcNow()) }, tx);
            return true;
        }, cancellationToken));

    public ValueTask<IReadOnlyList<XElement>> TakeAllAsync(string user, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync<IReadOnlyList<XElement>>(async (connection, tx) =>
        {
            var stored = (await connection.QueryAsync<string>("SELECT stanza_xml FROM offline_messages WHERE owner = @user ORDER BY id", new { user }, tx)).ToList();
            await connection.ExecuteAsync("DELETE FROM offline_messages WHERE owner = @user", new { user }, tx);
            return stored.Select(xml => XElement.Parse(xml)).ToList();
        }, cancellationToken));
}
