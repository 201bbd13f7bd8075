using Pbx.Storage.Routing;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Routing;

namespace Pbx.Server.Admin;

internal static class GroupEndpoints
{
    private sealed record CreateGroupRequest(string? Name, RingMode? RingMode, List<string>? Members);
    private sealed record SetMembersRequest(List<string>? Members);

    public static void Map(RouteGroupBuilder groups)
    {
        groups.MapGet("/", async (IDirectoryStore store, CancellationToken ct) => TypedResults.Ok(await store.ListGroupsAsync(ct)));

        groups.MapGet("/{name}", async (string name, IDirectoryStore store, CancellationToken ct) =>
            await store.FindGroupAsync(name, ct) is { } group ? TypedResults.Ok(group) : Problems.NotFound("group", name));

        groups.MapPost("/", async (HttpContext http, IDirectoryStore store, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<CreateGroupRequest>(http);
            if (problem is not null) return problem;
            var group = new NewGroup(body!.Name!, body.RingMode ?? RingMode.Parallel, body.Members ?? []);
            var errors = DirectoryRules.Check(group);
            if (errors.Count > 0) return Problems.Invalid(errors);
            try
            {
                var created = await store.CreateGroupAsync(group, ct);
                return TypedResults.Created($"/api/groups/{Uri.EscapeDataString(created.Name)}", created);
            }
            catch (DirectoryRuleException ex) { return Problems.From(ex); }
        });

        groups.MapPut("/{name}/members", async (string name, HttpContext http, IDirectoryStore store, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<SetMembersRequest>(http);
            if (problem is not null) return problem;
            var errors = new List<FieldError>();
            DirectoryRules.CheckMembers(body!.Members, errors);
            if (errors.Count > 0) return Problems.Invalid(errors);
            try
            {
                return await store.SetGroupMembersAsync(name, body.Members!, ct) is { } group ? TypedResults.Ok(group) : Problems.NotFound("group", name);
            }
            catch (DirectoryRuleException ex) { return Problems.From(ex); }
        });

        groups.MapDelete("/{name}", async (string name, IDirectoryStore store, SqliteRoutingSettings routing, CancellationToken ct) =>
        {
            if (!await store.DeleteGroupAsync(name, ct)) return Problems.NotFound("group", name);
            // The database dropped the group's routing rows with it; a new group of that name must not inherit them from memory.
            routing.Forget(new RoutingParty.Group(name));
            return TypedResults.NoContent();
        });
    }
}
