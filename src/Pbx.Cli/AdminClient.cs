using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pbx.Cli;

internal sealed record ApiResponse(bool Success, HttpStatusCode StatusCode, JsonNode? Body, string? TransportError);

internal sealed class AdminClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly string _baseUrl;

    public AdminClient(string baseUrl, string? token)
    {
        _baseUrl = baseUrl.TrimEnd('/');
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>An explicit token, then PBX_ADMIN_TOKEN, then the token file the daemon generated.</summary>
    public static string? FindToken(string? explicitToken, string? dataDirectory)
    {
        if (!string.IsNullOrEmpty(explicitToken)) return explicitToken;
        if (Environment.GetEnvironmentVariable("PBX_ADMIN_TOKEN") is { Length: > 0 } fromEnvironment) return fromEnvironment;
        string[] candidates = dataDirectory is not null ? [dataDirectory] : ["data", "/var/lib/pbx"];
        foreach (var folder in candidates)
        {
            var file = Path.Combine(folder, "admin-token");
            try { if (File.Exists(file)) return File.ReadAllText(file).Trim(); }
            catch (UnauthorizedAccessException) { /* Not ours to read: try the next place, then go without. */ }
        }
        return null;
    }

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, _baseUrl + path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        try
        {
            using var response = await _http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? parsed = null;
            if (text.Length > 0)
            {
                try { parsed = JsonNode.Parse(text); }
                catch (JsonException) { parsed = JsonValue.Create(text); }
            }
            return new ApiResponse(response.IsSuccessStatusCode, response.StatusCode, parsed, null);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException)
        {
            return new ApiResponse(false, 0, null, $"cannot reach the daemon at {_baseUrl}: {ex.InnerException.Message} (is pbx-server running? see --url)");
        }
        catch (HttpRequestException ex)
        {
            return new ApiResponse(false, 0, null, $"request to {_baseUrl} failed: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ApiResponse(false, 0, null, $"the daemon at {_baseUrl} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => _http.Dispose();
}
