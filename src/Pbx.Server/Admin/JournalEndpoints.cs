using Pbx.Server.Configuration;
using Pbx.Telephony.Journal;
using Pbx.Xmpp.Messaging;

namespace Pbx.Server.Admin;

internal static class JournalEndpoints
{
    public static void Map(RouteGroupBuilder journal)
    {
        journal.MapGet("/calls", async (string? user, CallDirection? direction, CallResult? result, DateTimeOffset? from, DateTimeOffset? to,
            int? limit, ICallJournal calls, Pbx.Telephony.Accounts.IDirectoryStore directory, CancellationToken ct) =>
        {
            if (limit is < 1 or > 10_000) return Problems.Invalid("limit", "must be between 1 and 10000");
            // Admins think in extensions: "user" may be a login ID or one of the user's numbers.
            if (user is not null && await directory.FindUserAsync(user, ct) is null
                && await directory.FindNumberAsync(user, ct) is { UserLoginId: { } owner })
                user = owner;
            return TypedResults.Ok(await calls.QueryAsync(new CallJournalQuery(user, direction, result, from, to, limit ?? 100), ct));
        });

        journal.MapGet("/chat/{owner}", async (string owner, string? with, DateTimeOffset? from, DateTimeOffset? to, string? after, string? before,
            int? limit, IChatArchive chat, PbxOptions options, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000) return Problems.Invalid("limit", "must be between 1 and 1000");
            // An archive belongs to a bare JID; a plain login ID means the user on this PBX's XMPP domain.
            var ownerJid = owner.Contains('@') ? owner : $"{owner}@{options.Xmpp.Domain}";
            var query = new ChatArchiveQuery(ownerJid, with, from, to, after, before, FromEnd: after is null && before is null, limit ?? 100);
            return TypedResults.Ok(await chat.QueryAsync(query, ct));
        });
    }
}
