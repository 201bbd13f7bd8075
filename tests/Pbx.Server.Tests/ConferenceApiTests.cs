using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pbx.Telephony.Conferences;

namespace Pbx.Server.Tests;

public sealed class ConferenceApiTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private HttpClient Client => server.Client;

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..20];

    private static string UniqueNumber() => Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

    private static string InOneDay() => DateTimeOffset.UtcNow.AddDays(1).ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Send(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.Headers.Location is { } location) Assert.StartsWith("/api/", location.OriginalString);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static string[] FieldErrors(JsonNode? problem, string field) =>
        problem?["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToArray() ?? [];

    private async Task<string> CreateUser()
    {
        var login = Unique("u");
        var (status, _) = await Send(HttpMethod.Post, "/api/users", new { loginId = login, displayName = "Conference User", password = "correct horse" });
        Assert.Equal(HttpStatusCode.Created, status);
        return login;
    }

    private async Task<JsonNode> CreateConference(object body)
    {
        var (status, created) = await Send(HttpMethod.Post, "/api/conferences", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return created!;
    }

    private static object ConferenceBody(string name, string start, string repetition, params object[] participants) =>
        new { name, start, repetition, durationMinutes = 30, participants };

    [Fact]
    public async Task Rooms_are_created_read_replaced_and_deleted()
    {
        var number = UniqueNumber();
        var (status, room) = await Send(HttpMethod.Put, $"/api/conference-rooms/{number}", new { name = "Team bridge", pin = "4321", maxParticipants = 10 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(number, room!["number"]!.GetValue<string>());
        Assert.Equal(10, room["maxParticipants"]!.GetValue<int>());

        var (_, list) = await Send(HttpMethod.Get, "/api/conference-rooms");
        Assert.Contains(list!.AsArray(), r => r!["number"]!.GetValue<string>() == number && r["name"]!.GetValue<string>() == "Team bridge");

        (status, room) = await Send(HttpMethod.Put, $"/api/conference-rooms/{number}", new { name = "Open bridge" });
        Assert.Equal(HttpStatusCode.OK, status);
        (status, room) = await Send(HttpMethod.Get, $"/api/conference-rooms/{number}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Open bridge", room!["name"]!.GetValue<string>());
        Assert.True(room["pin"] is null || room["pin"]!.GetValue<string>() == "");

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, $"/api/conference-rooms/{number}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/api/conference-rooms/{number}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Delete, $"/api/conference-rooms/{number}")).Status);
    }

    [Fact]
    public async Task A_bad_room_is_400_naming_each_field()
    {
        var (status, problem) = await Send(HttpMethod.Put, "/api/conference-rooms/12ab", new { name = "", pin = "12", maxParticipants = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        foreach (var field in new[] { "number", "name", "pin", "maxParticipants" })
            Assert.NotEmpty(FieldErrors(problem, field));
    }

    [Fact]
    public async Task A_room_on_a_users_number_is_409_and_not_created()
    {
        var owner = await CreateUser();
        var number = UniqueNumber();
        Assert.Equal(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/numbers", new { number, user = owner })).Status);

        var (status, problem) = await Send(HttpMethod.Put, $"/api/conference-rooms/{number}", new { name = "Shadow" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains(owner, Assert.Single(FieldErrors(problem, "number")));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/api/conference-rooms/{number}")).Status);
    }

    [Fact]
    public async Task A_users_number_that_is_a_room_is_409_and_not_assigned()
    {
        var owner = await CreateUser();
        var number = UniqueNumber();
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/api/conference-rooms/{number}", new { name = "Team bridge" })).Status);

        var (status, problem) = await Send(HttpMethod.Post, "/api/numbers", new { number, user = owner });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Team bridge", Assert.Single(FieldErrors(problem, "number")));
        var (_, numbers) = await Send(HttpMethod.Get, "/api/numbers");
        Assert.DoesNotContain(numbers!.AsArray(), n => n!["number"]!.GetValue<string>() == number);
    }

    [Fact]
    public async Task Conferences_are_created_read_updated_and_deleted()
    {
        var login = await CreateUser();
        var start = InOneDay();
        var created = await CreateConference(ConferenceBody("Weekly sync", start, "weekly",
            new { user = login.ToUpperInvariant(), moderator = true, pbxCalls = true }, new { number = "+4930123456", moderator = false, pbxCalls = false }));
        var id = created["id"]!.GetValue<long>();
        Assert.Equal("weekly", created["repetition"]!.GetValue<string>());
        Assert.Equal(30, created["durationMinutes"]!.GetValue<int>());
        Assert.Matches("^[0-9]{6}$", created["pin"]!.GetValue<string>());
        // Stored as the directory spells the login, whatever case the request used.
        Assert.Equal(login, created["participants"]![0]!["user"]!.GetValue<string>());
        Assert.True(created["participants"]![0]!["moderator"]!.GetValue<bool>());
        Assert.Equal(DateTimeOffset.Parse(start, CultureInfo.InvariantCulture), created["nextStart"]!.GetValue<DateTimeOffset>());

        var (status, read) = await Send(HttpMethod.Get, $"/api/conferences/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Weekly sync", read!["name"]!.GetValue<string>());

        (status, var updated) = await Send(HttpMethod.Put, $"/api/conferences/{id}", new
        {
            name = "Weekly sync (new room)", start, repetition = "daily", participants = new[] { new { user = login, moderator = true, pbxCalls = false } },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("daily", updated!["repetition"]!.GetValue<string>());
        Assert.Equal(60, updated["durationMinutes"]!.GetValue<int>());
        // An update without a PIN keeps the one participants were given.
        Assert.Equal(created["pin"]!.GetValue<string>(), updated["pin"]!.GetValue<string>());

        var (_, planned) = await Send(HttpMethod.Get, "/api/conferences");
        Assert.Contains(planned!.AsArray(), c => c!["id"]!.GetValue<long>() == id && c["name"]!.GetValue<string>() == "Weekly sync (new room)");

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, $"/api/conferences/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/api/conferences/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Put, $"/api/conferences/{id}", ConferenceBody("Gone", start, "once"))).Status);
    }

    [Fact]
    public async Task A_given_pin_is_kept()
    {
        var created = await CreateConference(new { name = "Board", start = InOneDay(), pin = "2468", participants = new[] { new { number = "200", moderator = true } } });
        Assert.Equal("2468", created["pin"]!.GetValue<string>());
        Assert.Equal("once", created["repetition"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_conference_is_400_naming_each_field_in_the_requests_terms()
    {
        var (status, problem) = await Send(HttpMethod.Post, "/api/conferences", new
        {
            name = "",
            start = "2026-03-02T09:30:00",
            repetition = "yearly",
            durationMinutes = 0,
            pin = "12",
            participants = new object[] { new { number = "12x", moderator = true }, new { user = "someone", number = "200", moderator = false } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        foreach (var field in new[] { "name", "start", "repetition", "durationMinutes", "pin", "participants[0].number", "participants[1]" })
            Assert.NotEmpty(FieldErrors(problem, field));
        Assert.Contains("offset", Assert.Single(FieldErrors(problem, "start")));
    }

    [Fact]
    public async Task A_conference_without_a_moderator_is_400_naming_participants()
    {
        var (status, problem) = await Send(HttpMethod.Post, "/api/conferences", ConferenceBody("Guests", InOneDay(), "once", new { number = "200" }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, "participants"));
    }

    [Fact]
    public async Task An_unknown_user_is_400_naming_the_participant()
    {
        var login = await CreateUser();
        var (status, problem) = await Send(HttpMethod.Post, "/api/conferences", ConferenceBody("Unknown", InOneDay(), "once",
            new { user = login, moderator = true }, new { user = "nobody-by-this-name", moderator = false }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("nobody-by-this-name", Assert.Single(FieldErrors(problem, "participants[1].user")));
        Assert.Empty(FieldErrors(problem, "participants[0].user"));
    }

    [Theory]
    [InlineData("{\"name\": ", "name", "invalid JSON")]
    [InlineData("{\"name\": \"x\", \"colour\": \"red\"}", "colour", "unknown field")]
    [InlineData("{\"durationMinutes\": \"long\"}", "durationMinutes", "wrong type")]
    public async Task Bad_json_is_400_with_a_message(string json, string field, string message)
    {
        var (status, problem) = await Send(HttpMethod.Post, "/api/conferences", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, Assert.Single(FieldErrors(problem, field)));
    }

    [Fact]
    public async Task Planned_leaves_out_a_past_one_time_conference_and_finished_lists_what_took_place()
    {
        var login = await CreateUser();
        // Two hours off the time of day, so today's occurrence of the daily one is over, not running (and launched).
        var twoDaysAgo = DateTimeOffset.UtcNow.AddDays(-2).AddHours(-2).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var past = await CreateConference(ConferenceBody(Unique("past"), twoDaysAgo, "once", new { user = login, moderator = true }));
        var daily = await CreateConference(ConferenceBody(Unique("daily"), twoDaysAgo, "daily", new { user = login, moderator = true }));

        var (status, planned) = await Send(HttpMethod.Get, "/api/conferences?state=planned");
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = planned!.AsArray().Select(c => c!["id"]!.GetValue<long>()).ToList();
        Assert.DoesNotContain(past["id"]!.GetValue<long>(), ids);
        Assert.Contains(daily["id"]!.GetValue<long>(), ids);
        // The past conference is still there to read, only not planned.
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"/api/conferences/{past["id"]}")).Status);

        var store = server.Services.GetRequiredService<IConferenceStore>();
        var started = DateTimeOffset.Parse(twoDaysAgo, CultureInfo.InvariantCulture);
        var name = past["name"]!.GetValue<string>();
        await store.RecordFinishedAsync(new FinishedConference(past["id"]!.GetValue<long>(), name, started, started.AddMinutes(25), 3), default);

        var (_, finished) = await Send(HttpMethod.Get, "/api/conferences?state=finished&limit=1000");
        var entry = finished!.AsArray().Single(f => f!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(3, entry["participantCount"]!.GetValue<int>());
        Assert.Equal(past["id"]!.GetValue<long>(), entry["conferenceId"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("/api/conferences?state=cancelled", "state")]
    [InlineData("/api/conferences?state=finished&limit=0", "limit")]
    [InlineData("/api/conferences?state=finished&limit=1001", "limit")]
    public async Task Bad_list_queries_are_400_naming_the_parameter(string path, string field)
    {
        var (status, problem) = await Send(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, field));
    }

    [Fact]
    public async Task Nothing_is_live_and_acting_on_an_unknown_conference_is_404()
    {
        var (status, live) = await Send(HttpMethod.Get, "/api/conferences/live");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(live!.AsArray());

        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/conferences/live/room-999/participants/p1/mute", new { muted = true })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/conferences/live/room-999/participants/p1/mute")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/conferences/live/conference-1/participants/p1/kick", new { moderator = "alice" })).Status);
    }
}
