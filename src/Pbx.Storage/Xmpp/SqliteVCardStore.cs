using System.Xml.Linq;
using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Xmpp.Iq;

namespace Pbx.Storage.Xmpp;

/// <summary>vCard-temp (XEP-0054) documents as the user last published them.</summary>
public sealed class SqliteVCardStore(SqliteDatabase database) : IVCardStore
{
    public ValueTask<XElement?> GetAsync(string user, CancellationToken cancellationToken) =>
        new(database.RunAsync(async connection =>
            await connection.QuerySingleOrDefaultAsync<string>("SELECT vcard_xml FROM vcards WHERE owner = @user", new { user }) is { } xml
                ? XElement.Parse(xml) : null, cancellationToken));

    public ValueTask SetAsync(string user, XElement vCard, CancellationToken cancellationToken) =>
        new(database.InTransactionAsync((connection, tx) => connection.ExecuteAsync("""
            INSERT INTO vcards (owner, vcard_xml) VALUES (@user, @xml)
            ON CONFLICT (owner) DO UPDATE SET vcard_xml = excluded.vcard_xml
            """, new { user, xml = vCard.ToString(SaveOptions.DisableFormatting) }, tx), cancellationToken));
}
