using Pbx.Telephony.Accounts;

namespace Pbx.Server.Admin;

internal static class DeviceEndpoints
{
    private sealed record AddDeviceRequest(string? User, DeviceKind? Kind, string? Name, string? Number, int? MaxRingSeconds);

    public static void Map(RouteGroupBuilder devices)
    {
        devices.MapGet("/", async (string? user, IDirectoryStore store, CancellationToken ct) => TypedResults.Ok(await store.ListDevicesAsync(user, ct)));

        devices.MapPost("/", async (HttpContext http, IDirectoryStore store, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<AddDeviceRequest>(http);
            if (problem is not null) return problem;
            var missing = new List<FieldError>();
            if (string.IsNullOrEmpty(body!.User)) missing.Add(new("user", "is required"));
            if (body.Kind is null) missing.Add(new("kind", $"is required: one of {string.Join(", ", Enum.GetNames<DeviceKind>())}"));
            if (missing.Count > 0) return Problems.Invalid(missing);
            var device = new NewDevice(body.User!, body.Kind!.Value, body.Name ?? "", body.Number, body.MaxRingSeconds);
            var errors = DirectoryRules.Check(device);
            if (errors.Count > 0) return Problems.Invalid(errors);
            try
            {
                var added = await store.AddDeviceAsync(device, ct);
                return TypedResults.Created($"/api/devices/{added.Id}", added);
            }
            catch (DirectoryRuleException ex) { return Problems.From(ex); }
        });

        devices.MapDelete("/{id:long}", async (long id, IDirectoryStore store, CancellationToken ct) =>
            await store.RemoveDeviceAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound("device", id.ToString()));
    }
}
