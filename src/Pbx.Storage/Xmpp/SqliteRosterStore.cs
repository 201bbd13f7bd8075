using System.Text.Json;
using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Xmpp.Roster;

namespace Pbx.Storage.Xmpp;

/// <summary>Personal roster items and inbound subscription requests awaiting an answer (RFC 6121 §3.1.3).</summary>
public sealed class SqliteRosterStore(SqliteDatabase database) : IRosterStore
{
    public ValueTask<IReadOnlyList<RosterItem>> GetItemsAsync(string user, CancellationToken cancellationToken) =>
        new(database.RunAsync<IReadOnlyList<RosterItem>>(async connection =>
            (await connection.QueryAsync<Row>("SELECT * FROM roster_items WHERE owner = @user ORDER BY contact", new { user }))
            .Select(r => r.ToItem()).ToList(), cancellationToken));

    public ValueTask<RosterItem?> GetItemAsync(string user, string contact, CancellationToken cancellationToken) =>
        new(database.RunAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<Row>("SELECT * FROM roster_items WHERE owner = @user AND contact = @contact", new { user, contact }))?.ToItem(),
            cancellationToken));

    public ValueTask SetItemAsync(string user, RosterItem item, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) => connection.ExecuteAsync("""
            INSERT INTO roster_items (owner, contact, name, subscription, ask, groups_json)
            VALUES (@user, @Contact, @Name, @subscription, @AskSubscribe, @groups)
            ON CONFLICT (owner, contact) DO UPDATE SET
                name = excluded.name, subscription = excluded.subscription, ask = excluded.ask, groups_json = excluded.groups_json
            """, new { user, item.Contact, item.Name, subscription = item.Subscription.ToString(), item.AskSubscribe, groups = JsonSerializer.Serialize(item.Groups) }, tx),
            cancellationToken));

    public ValueTask RemoveItemAsync(string user, string contact, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) =>
            connection.ExecuteAsync("DELETE FROM roster_items WHERE owner = @user AND contact = @contact", new { user, contact }, tx), cancellationToken));

    public ValueTask<IReadOnlyList<string>> GetPendingInboundAsync(string user, CancellationToken cancellationToken) =>
        new(database.RunAsync<IReadOnlyList<string>>(async connection =>
            (await connection.QueryAsync<string>("SELECT contact FROM roster_pending_inbound WHERE owner = @user ORDER BY contact", new { user })).ToList(),
            cancellationToken));

    public ValueTask AddPendingInboundAsync(string user, string contact, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) => connection.ExecuteAsync(
            "INSERT OR IGNORE INTO roster_pending_inbound (owner, contact) VALUES (@user, @contact)", new { user, contact }, tx), cancellationToken));

    public ValueTask<bool> RemovePendingInboundAsync(string user, string contact, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync(async (connection, tx) => await connection.ExecuteAsync(
            "DELETE FROM roster_pending_inbound WHERE owner = @user AND contact = @contact", new { user, contact }, tx) > 0, cancellationToken));

    private sealed class Row
    {
        public string Contact { get; init; } = "";
        public string? Name { get; init; }
        public string Subscription { get; init; } = "";
        public long Ask { get; init; }
        public string GroupsJson { get; init; } = "[]";

        public RosterItem ToItem() => new(Contact, Name, Enum.Parse<Subscription>(Subscription), Ask != 0,
            JsonSerializer.Deserialize<List<string>>(GroupsJson) ?? []);
    }
}
