using System.Text.Json;
using System.Text.Json.Nodes;
using Pbx.Storage.Routing;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Routing;
using RoutingFeature = Pbx.Telephony.Routing.RoutingFeature;

namespace Pbx.Server.Admin;

/// <summary>
/// Per-user and per-group routing features: /api/users/{loginId}/routing and /api/groups/{name}/routing, each with
/// /{feature} to read, replace (PUT) or reset (DELETE) one feature. Bodies are the feature's settings in the
/// storage JSON form (<see cref="RoutingSettingsJson"/>), so a GET's "settings" can be PUT back unchanged.
/// </summary>
internal static class RoutingEndpoints
{
    /// <param name="Configured">False: nothing is stored and <see cref="Settings"/> shows the default (null: the feature is off).</param>
    private sealed record FeatureView(string Feature, bool Configured, DateTimeOffset? UpdatedAt, JsonNode? Settings);

    private delegate Task<RoutingParty?> PartyLookup(string id, IDirectoryStore directory, CancellationToken ct);

    public static void Map(RouteGroupBuilder api)
    {
        MapParty(api.MapGroup("/users/{id}/routing"), "user",
            async (id, directory, ct) => await directory.FindUserAsync(id, ct) is { } user ? new RoutingParty.User(user.LoginId) : null);
        MapParty(api.MapGroup("/groups/{id}/routing"), "group",
            async (id, directory, ct) => await directory.FindGroupAsync(id, ct) is { } group ? new RoutingParty.Group(group.Name) : null);
    }

    private static void MapParty(RouteGroupBuilder routing, string kind, PartyLookup find)
    {
        routing.MapGet("/", async (string id, IDirectoryStore directory, SqliteRoutingSettings store, CancellationToken ct) =>
        {
            if (await find(id, directory, ct) is not { } party) return Problems.NotFound(kind, id);
            var stored = (await store.ListAsync(party, ct)).ToDictionary(s => s.Feature);
            return TypedResults.Ok(RoutingFeatures.For(party).Select(f => View(f, stored.GetValueOrDefault(f))).ToList());
        });

        routing.MapGet("/{feature}", async (string id, string feature, IDirectoryStore directory, SqliteRoutingSettings store, CancellationToken ct) =>
        {
            if (await find(id, directory, ct) is not { } party) return Problems.NotFound(kind, id);
            if (FeatureOf(party, feature) is not { } known) return UnknownFeature(party, kind, feature);
            return TypedResults.Ok(View(known, await store.FindAsync(party, known, ct)));
        });

        routing.MapPut("/{feature}", async (string id, string feature, HttpContext http, IDirectoryStore directory, SqliteRoutingSettings store,
            CancellationToken ct) =>
        {
            if (await find(id, directory, ct) is not { } party) return Problems.NotFound(kind, id);
            if (FeatureOf(party, feature) is not { } known) return UnknownFeature(party, kind, feature);
            if (!http.Request.HasJsonContentType())
                return Problems.Invalid("body", "send the feature's settings as a JSON object with Content-Type: application/json");
            object settings;
            try
            {
                using var reader = new StreamReader(http.Request.Body);
                settings = RoutingSettingsJson.Deserialize(known, await reader.ReadToEndAsync(ct));
            }
            catch (JsonException ex)
            {
                return Problems.Invalid([RoutingSettingsJson.Describe(ex)]);
            }
            settings = OwnedBy(settings, party);
            var errors = RoutingSettingsValidation.Validate(settings);
            if (errors.Count > 0) return Problems.Invalid(errors);
            return TypedResults.Ok(View(known, await store.SetAsync(party, known, settings, ct)));
        });

        routing.MapDelete("/{feature}", async (string id, string feature, IDirectoryStore directory, SqliteRoutingSettings store, CancellationToken ct) =>
        {
            if (await find(id, directory, ct) is not { } party) return Problems.NotFound(kind, id);
            if (FeatureOf(party, feature) is not { } known) return UnknownFeature(party, kind, feature);
            // Resetting a feature that was never set is still a reset: the client gets the state it asked for.
            await store.DeleteAsync(party, known, ct);
            return TypedResults.NoContent();
        });
    }

    private static RoutingFeature? FeatureOf(RoutingParty party, string name) =>
        RoutingFeatures.Find(name) is { } feature && feature.AppliesToParty(party) ? feature : null;

    private static IResult UnknownFeature(RoutingParty party, string kind, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: $"no routing feature '{name}' for a {kind}; there are: {string.Join(", ", RoutingFeatures.For(party).Select(f => f.Name))}");

    // The added device belongs to the user whose settings these are, whatever the body said.
    private static object OwnedBy(object settings, RoutingParty party) =>
        settings is AutoPilotSettings { AddedDevice: { } device } autoPilot && party is RoutingParty.User user
            ? autoPilot with { AddedDevice = device with { UserLoginId = user.LoginId, Kind = DeviceKind.Added } }
            : settings;

    private static FeatureView View(RoutingFeature feature, StoredRoutingSettings? stored)
    {
        var settings = stored?.Settings ?? feature.Default;
        return new FeatureView(feature.Name, stored is not null, stored?.UpdatedAt,
            settings is null ? null : JsonSerializer.SerializeToNode(settings, feature.SettingsType, RoutingSettingsJson.Options));
    }
}
