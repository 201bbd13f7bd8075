using Pbx.Telephony.Accounts;
using Pbx.Telephony.Conferences;

namespace Pbx.Server.Admin;

internal static class NumberEndpoints
{
    private sealed record AssignNumberRequest(string? Number, string? User, string? Group);

    public static void Map(RouteGroupBuilder numbers)
    {
        numbers.MapGet("/", async (IDirectoryStore store, CancellationToken ct) => TypedResults.Ok(await store.ListNumbersAsync(ct)));

        numbers.MapPost("/", async (HttpContext http, IDirectoryStore store, IConferenceStore conferences, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<AssignNumberRequest>(http);
            if (problem is not null) return problem;
            var errors = DirectoryRules.CheckNumberAssignment(body!.Number, body.User, body.Group);
            if (errors.Count > 0) return Problems.Invalid(errors);
            // A dial-in room answers its number before routing would: the number cannot also ring a user or group.
            if (await conferences.GetRoomAsync(body.Number!, ct) is { } room)
                return Problems.From(new DirectoryRuleException(DirectoryFault.Conflict, "number", $"number {room.Number} is the conference room '{room.Name}'"));
            try
            {
                var assigned = await store.AssignNumberAsync(body.Number!, body.User, body.Group, ct);
                return TypedResults.Created($"/api/numbers/{Uri.EscapeDataString(assigned.Number)}", assigned);
            }
            catch (DirectoryRuleException ex) { return Problems.From(ex); }
        });

        numbers.MapDelete("/{number}", async (string number, IDirectoryStore store, CancellationToken ct) =>
            await store.RemoveNumberAsync(number, ct) ? TypedResults.NoContent() : Problems.NotFound("number", number));
    }
}
