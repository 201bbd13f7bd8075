using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pbx.Telephony.Routing;

namespace Pbx.Server.Tests;

public sealed class RoutingApiTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private HttpClient Client => server.Client;

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..20];

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Send(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static string[] FieldErrors(JsonNode? problem, string field) =>
        problem?["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToArray() ?? [];

    private async Task<string> CreateUser()
    {
        var login = Unique("u");
        var (status, _) = await Send(HttpMethod.Post, "/api/users", new { loginId = login, displayName = "Routing User", password = "correct horse" });
        Assert.Equal(HttpStatusCode.Created, status);
        return login;
    }

    private async Task<string> CreateGroup()
    {
        var name = Unique("g");
        var (status, _) = await Send(HttpMethod.Post, "/api/groups", new { name, ringMode = "Hunting", members = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, status);
        return name;
    }

    [Fact]
    public async Task A_new_user_lists_every_user_feature_with_its_default()
    {
        var login = await CreateUser();
        var (status, body) = await Send(HttpMethod.Get, $"/api/users/{login}/routing");
        Assert.Equal(HttpStatusCode.OK, status);
        var features = body!.AsArray().ToDictionary(f => f!["feature"]!.GetValue<string>(), f => f!);
        Assert.Equal(["autopilot", "barring", "blacklist", "dnd", "ifmc", "redirection"], features.Keys.Order());
        Assert.All(features.Values, f => Assert.False(f["configured"]!.GetValue<bool>()));
        Assert.False(features["dnd"]["settings"]!["active"]!.GetValue<bool>());
        Assert.Null(features["autopilot"]["settings"]);
    }

    [Fact]
    public async Task Put_settings_are_read_back_through_the_api_and_by_routing()
    {
        var login = await CreateUser();
        const string redirection = """
            {"always": null, "busy": {"mailbox": "voicebox"},
             "timeout": {"destination": {"number": "+4930123456"}, "seconds": 20}, "exceptionCallers": ["boss"]}
            """;
        var (status, body) = await Send(HttpMethod.Put, $"/api/users/{login}/routing/redirection", redirection);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body!["configured"]!.GetValue<bool>());
        Assert.NotNull(body["updatedAt"]);

        (status, body) = await Send(HttpMethod.Get, $"/api/users/{login.ToUpperInvariant()}/routing/REDIRECTION");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(20, body!["settings"]!["timeout"]!["seconds"]!.GetValue<int>());
        Assert.Equal("voicebox", body["settings"]!["busy"]!["mailbox"]!.GetValue<string>());

        var routing = server.Services.GetRequiredService<IRoutingSettings>();
        var settings = await routing.GetAsync<RedirectionSettings>(new RoutingParty.User(login), default);
        Assert.Equal(new RedirectDestination.Number("+4930123456"), settings!.Timeout!.Destination);
        Assert.Contains("boss", settings.ExceptionCallers!);

        // What GET returned can be PUT back unchanged.
        (status, _) = await Send(HttpMethod.Put, $"/api/users/{login}/routing/redirection", body["settings"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);

        (status, _) = await Send(HttpMethod.Delete, $"/api/users/{login}/routing/redirection");
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Null(await routing.GetAsync<RedirectionSettings>(new RoutingParty.User(login), default));
    }

    [Fact]
    public async Task Group_features_are_set_and_user_only_features_are_404_for_groups()
    {
        var group = await CreateGroup();
        var (status, body) = await Send(HttpMethod.Put, $"/api/groups/{group}/routing/hunting", """{"memberRingTime": "00:00:12", "groupTimeout": "00:01:30"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("00:01:30", body!["settings"]!["groupTimeout"]!.GetValue<string>());
        var routing = server.Services.GetRequiredService<IRoutingSettings>();
        Assert.Equal(TimeSpan.FromSeconds(90), (await routing.GetAsync<CallHuntingSettings>(new RoutingParty.Group(group), default))!.GroupTimeout);

        (status, _) = await Send(HttpMethod.Get, $"/api/groups/{group}/routing/dnd");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, body) = await Send(HttpMethod.Get, $"/api/groups/{group}/routing");
        Assert.Equal(["blacklist", "hunting", "redirection"], body!.AsArray().Select(f => f!["feature"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Unknown_user_group_or_feature_is_404()
    {
        var login = await CreateUser();
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/api/users/nobody-here/routing")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Put, "/api/users/nobody-here/routing/dnd", """{"active": true}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/api/groups/no-such-group/routing/hunting")).Status);
        var (status, problem) = await Send(HttpMethod.Get, $"/api/users/{login}/routing/teleport");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("redirection", problem!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Delete, $"/api/users/{login}/routing/hunting")).Status);
    }

    [Theory]
    [InlineData("redirection", """{"timeout": {"destination": {"number": "200"}, "seconds": 3}}""", "timeout.seconds")]
    [InlineData("redirection", """{"timeout": {"seconds": 30}}""", "timeout.destination")]
    [InlineData("redirection", """{"always": {"number": "12x"}}""", "always.number")]
    [InlineData("ifmc", """{"configurations": [{"e164": "01701234567", "delay": "00:00:05"}]}""", "configurations[0].e164")]
    [InlineData("ifmc", """{"configurations": [{"e164": "+491701234567", "delay": "00:00:05", "schedule": {"timeZoneId": "Mars/Olympus", "windows": [{"days": ["Monday"], "from": "08:00:00", "to": "17:00:00"}]}}]}""", "configurations[0].schedule.timeZoneId")]
    [InlineData("ifmc", """{"configurations": [{"e164": "+491701234567", "delay": "00:00:05", "schedule": {"timeZoneId": "Europe/Berlin", "windows": [{"days": [], "from": "08:00:00", "to": "17:00:00"}]}}]}""", "configurations[0].schedule.windows[0].days")]
    [InlineData("dnd", """{"active": true, "until": "tomorrow"}""", "until")]
    [InlineData("barring", """{"barred": true, "pin": "12"}""", "pin")]
    [InlineData("autopilot", """{"routeCallsToCell": true}""", "cellNumber")]
    [InlineData("autopilot", """{"preferred": "Teleporter"}""", "preferred")]
    [InlineData("blacklist", """{"numbers": ["+49 89"], "prefixes": []}""", "numbers")]
    public async Task Bad_settings_are_400_naming_the_field_and_nothing_is_stored(string feature, string json, string field)
    {
        var login = await CreateUser();
        var (status, problem) = await Send(HttpMethod.Put, $"/api/users/{login}/routing/{feature}", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, field));
        (_, var view) = await Send(HttpMethod.Get, $"/api/users/{login}/routing/{feature}");
        Assert.False(view!["configured"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Hunting_ring_time_must_be_positive()
    {
        var group = await CreateGroup();
        var (status, problem) = await Send(HttpMethod.Put, $"/api/groups/{group}/routing/hunting", """{"memberRingTime": "00:00:00"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, "memberRingTime"));
    }

    [Fact]
    public async Task A_recreated_user_does_not_inherit_the_deleted_users_settings()
    {
        var login = await CreateUser();
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/api/users/{login}/routing/dnd", """{"active": true}""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, $"/api/users/{login}")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/users", new { loginId = login, displayName = "Again", password = "correct horse" })).Status);
        var (_, view) = await Send(HttpMethod.Get, $"/api/users/{login}/routing/dnd");
        Assert.False(view!["configured"]!.GetValue<bool>());
    }
}
