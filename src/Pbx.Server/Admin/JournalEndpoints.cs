using Pbx.Telephony.Journal;

namespace Pbx.Server.Admin;

internal static class JournalEndpoints
{
    public static void Map(RouteGroupBuilder journal)
    {
        journal.MapGet("/calls", async (string? user, CallDirection? direction, CallResult? result, DateTimeOffset? from, DateTimeOffset? to,
            int? limit, ICallJournal calls, CancellationToken ct) =>
        {
            if (limit is < 1 or > 10_000) return Problems.Invalid("limit", "must be between 1 and 10000");
            return TypedResults.Ok(await calls.QueryAsync(new CallJournalQuery(user, direction, result, from, to, limit ?? 100), ct));
        });

        journal.MapGet("/chat/{owner}", async (string owner, string? peer, DateTimeOffset? from, DateTimeOffset? to, long? after, int? limit,
            IChatJournal chat, CancellationToken ct) =>
        {
            if (limit is < 1 or > 10_000) return Problems.Invalid("limit", "must be between 1 and 10000");
            return TypedResults.Ok(await chat.QueryAsync(new ChatJournalQuery(owner, peer, from, to, after, limit ?? 100), ct));
        });
    }
}
