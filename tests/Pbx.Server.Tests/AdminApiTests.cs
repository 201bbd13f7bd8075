using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pbx.Server.Tests;

public sealed class AdminApiTests(InProcessServer server) : IClassFixture<InProcessServer>
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

    private async Task<string> CreateUser(string? login = null)
    {
        login ??= Unique("u");
        var (status, body) = await Send(HttpMethod.Post, "/api/users", new { loginId = login, displayName = "Test User", password = "correct horse" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(login, body!["loginId"]!.GetValue<string>());
        return login;
    }

    [Fact]
    public async Task Requests_without_the_bearer_token_get_401_problem_details()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        using var response = await anonymous.GetAsync("/api/users");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-token-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/users")).StatusCode);
    }

    [Fact]
    public async Task Created_user_is_listed_without_any_password_material()
    {
        var login = await CreateUser();
        var (status, list) = await Send(HttpMethod.Get, "/api/users");
        Assert.Equal(HttpStatusCode.OK, status);
        var user = list!.AsArray().Single(u => u!["loginId"]!.GetValue<string>() == login)!.AsObject();
        Assert.DoesNotContain(user, p => p.Key.Contains("password", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("ha1", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("en", user["language"]!.GetValue<string>());
    }

    [Fact]
    public async Task Duplicate_login_id_is_409_naming_loginId()
    {
        var login = await CreateUser();
        var (status, problem) = await Send(HttpMethod.Post, "/api/users", new { loginId = login.ToUpperInvariant(), displayName = "Other", password = "another pass" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already taken", Assert.Single(FieldErrors(problem, "loginId")));
    }

    [Fact]
    public async Task Missing_and_malformed_fields_are_400_naming_each_field()
    {
        var (status, problem) = await Send(HttpMethod.Post, "/api/users", new { loginId = "has space", email = "no-at-sign", language = "xx" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        foreach (var field in new[] { "loginId", "displayName", "password", "email", "language" })
            Assert.NotEmpty(FieldErrors(problem, field));
    }

    [Theory]
    [InlineData("{\"loginId\": \"x\", \"nickname\": \"y\"}", "nickname", "unknown field")]
    [InlineData("{\"loginId\": 5}", "loginId", "wrong type")]
    [InlineData("{\"loginId\": ", "loginId", "invalid JSON")]
    [InlineData("null", "body", "not null")]
    public async Task Bad_json_is_400_with_a_message_not_a_stack_trace(string json, string field, string message)
    {
        var (status, problem) = await Send(HttpMethod.Post, "/api/users", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, Assert.Single(FieldErrors(problem, field)));
        Assert.DoesNotContain("Pbx.Server", problem!.ToJsonString());
    }

    [Fact]
    public async Task A_number_already_assigned_is_409_and_the_first_owner_keeps_it()
    {
        var alice = await CreateUser();
        var bob = await CreateUser();
        Assert.Equal(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/numbers", new { number = "4711", user = alice })).Status);

        var (status, problem) = await Send(HttpMethod.Post, "/api/numbers", new { number = "4711", user = bob });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains(alice, Assert.Single(FieldErrors(problem, "number")));
        var numbers = (await Send(HttpMethod.Get, "/api/numbers")).Body!.AsArray();
        Assert.Equal(alice, numbers.Single(n => n!["number"]!.GetValue<string>() == "4711")!["userLoginId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("0815")]
    [InlineData("12ab")]
    [InlineData("+0123456789")]
    [InlineData("1")]
    public async Task Malformed_numbers_are_400_naming_number(string number)
    {
        var owner = await CreateUser();
        var (status, problem) = await Send(HttpMethod.Post, "/api/numbers", new { number, user = owner });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, "number"));
    }

    [Fact]
    public async Task A_group_with_an_unknown_member_is_400_and_not_created()
    {
        var member = await CreateUser();
        var name = Unique("g");
        var (status, problem) = await Send(HttpMethod.Post, "/api/groups", new { name, ringMode = "Hunting", members = new[] { member, "ghost-user" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("ghost-user", Assert.Single(FieldErrors(problem, "members")));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/api/groups/{name}")).Status);
    }

    [Fact]
    public async Task Group_members_keep_their_order_through_the_api()
    {
        var a = await CreateUser();
        var b = await CreateUser();
        var c = await CreateUser();
        var name = Unique("g");
        Assert.Equal(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/groups", new { name, ringMode = "Hunting", members = new[] { c, a, b } })).Status);
        var (status, group) = await Send(HttpMethod.Put, $"/api/groups/{name}/members", new { members = new[] { b, c } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([b, c], group!["memberLoginIds"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("Hunting", group["ringMode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cell_device_needs_an_e164_number_and_an_unknown_kind_is_refused()
    {
        var owner = await CreateUser();
        var (status, problem) = await Send(HttpMethod.Post, "/api/devices", new { user = owner, kind = "CellNumber", name = "Cell", number = "0170 123" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, "number"));

        var (kindStatus, kindProblem) = await Send(HttpMethod.Post, "/api/devices", new { user = owner, kind = "Fax", name = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, kindStatus);
        Assert.NotEmpty(FieldErrors(kindProblem, "kind"));

        var (okStatus, device) = await Send(HttpMethod.Post, "/api/devices", new { user = owner, kind = "CellNumber", name = "Cell", number = "+491701234567" });
        Assert.Equal(HttpStatusCode.Created, okStatus);
        Assert.Equal("+491701234567", device!["number"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_changes_fields_and_unknown_user_is_404()
    {
        var login = await CreateUser();
        var (status, user) = await Send(HttpMethod.Patch, $"/api/users/{login}", new { displayName = "Renamed", language = "fr" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("Renamed", "fr"), (user!["displayName"]!.GetValue<string>(), user["language"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Patch, "/api/users/nobody-here", new { displayName = "x" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, $"/api/users/{login}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/api/users/{login}")).Status);
    }

    [Fact]
    public async Task Journal_limit_out_of_range_is_400()
    {
        var (status, problem) = await Send(HttpMethod.Get, "/api/journal/calls?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(FieldErrors(problem, "limit"));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/api/journal/calls?direction=Incoming")).Status);
    }

    [Fact]
    public async Task Health_and_metrics_answer_without_a_token()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/ready"));
        Assert.Contains("target_info", await anonymous.GetStringAsync("/metrics"));
    }
}
