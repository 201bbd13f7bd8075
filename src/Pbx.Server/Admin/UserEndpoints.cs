using Pbx.Server.Configuration;
using Pbx.Telephony.Accounts;

namespace Pbx.Server.Admin;

internal static class UserEndpoints
{
    private sealed record CreateUserRequest(string? LoginId, string? DisplayName, string? Email, string? Language, string? Password);
    private sealed record UpdateUserRequest(string? DisplayName, string? Email, string? Language, string? Password);

    public static void Map(RouteGroupBuilder users)
    {
        users.MapGet("/", async (IDirectoryStore store, CancellationToken ct) => TypedResults.Ok(await store.ListUsersAsync(ct)));

        users.MapGet("/{loginId}", async (string loginId, IDirectoryStore store, CancellationToken ct) =>
            await store.FindUserAsync(loginId, ct) is { } user ? TypedResults.Ok(user) : Problems.NotFound("user", loginId));

        users.MapPost("/", async (HttpContext http, IDirectoryStore store, PbxOptions options, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<CreateUserRequest>(http);
            if (problem is not null) return problem;
            var user = new NewUser(body!.LoginId!, body.DisplayName!, body.Email, body.Language ?? "en", body.Password!);
            var errors = DirectoryRules.Check(user);
            if (errors.Count > 0) return Problems.Invalid(errors);
            try
            {
                var created = await store.CreateUserAsync(user, PasswordMaterial.Derive(user.LoginId, options.Sip.Realm, user.Password), ct);
                return TypedResults.Created($"/api/users/{created.LoginId}", created);
            }
            catch (DirectoryRuleException ex) { return Problems.From(ex); }
        });

        users.MapPatch("/{loginId}", async (string loginId, HttpContext http, IDirectoryStore store, PbxOptions options, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<UpdateUserRequest>(http);
            if (problem is not null) return problem;
            var changes = new UserChanges(body!.DisplayName, body.Email, body.Language, body.Password);
            var errors = DirectoryRules.Check(changes);
            if (errors.Count > 0) return Problems.Invalid(errors);
            var existing = await store.FindUserAsync(loginId, ct);
            if (existing is null) return Problems.NotFound("user", loginId);
            // The digest HA1 binds the login ID as stored, so derive from that spelling, not the URL's.
            var password = changes.Password is { } p ? PasswordMaterial.Derive(existing.LoginId, options.Sip.Realm, p) : null;
            return await store.UpdateUserAsync(loginId, changes, password, ct) is { } updated ? TypedResults.Ok(updated) : Problems.NotFound("user", loginId);
        });

        users.MapDelete("/{loginId}", async (string loginId, IDirectoryStore store, CancellationToken ct) =>
            await store.DeleteUserAsync(loginId, ct) ? TypedResults.NoContent() : Problems.NotFound("user", loginId));
    }
}
