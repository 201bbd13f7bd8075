using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Pbx.Server.Configuration;
using Pbx.Server.Hosting;

namespace Pbx.Server.Tests;

/// <summary>The composed daemon in this process, on a free loopback port with its own data folder.</summary>
public sealed class InProcessServer : IAsyncLifetime
{
    public const string Token = "in-process-test-token-0123456789";
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("pbx-api-").FullName;
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The daemon's services, for checking what the API wrote from the side that reads it.</summary>
    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        var loaded = ConfigurationLoader.Load(null, new Dictionary<string, string?>
        {
            ["Admin:Port"] = "0",
            // Only the admin API is under test here; protocol listeners are tested on free ports elsewhere.
            ["Sip:UdpPort"] = "0",
            ["Sip:TcpPort"] = "0",
            ["Sip:TlsPort"] = "0",
            ["Xmpp:ClientPort"] = "0",
            ["Admin:Token"] = Token,
            ["Storage:DataDirectory"] = _dataDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        _app = await PbxHostBuilder.BuildAsync(loaded);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Client = new HttpClient { BaseAddress = new Uri(address) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
