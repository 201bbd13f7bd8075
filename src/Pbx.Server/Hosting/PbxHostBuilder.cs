using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Pbx.Server.Admin;
using Pbx.Server.Configuration;
using Pbx.Server.Security;
using Pbx.Server.Telemetry;
using Pbx.Storage.Accounts;
using Pbx.Storage.Journal;
using Pbx.Storage.Migrations;
using Pbx.Storage.Routing;
using Pbx.Storage.Xmpp;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Journal;
using Pbx.Telephony.Routing;
using Pbx.Server.Sip;
using Pbx.Server.Xmpp;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;
using Pbx.Storage.Sip;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Roster;

namespace Pbx.Server.Hosting;

/// <summary>Composes the daemon. Protocol stacks and policies are created here and nowhere else.</summary>
public static class PbxHostBuilder
{
    public static async Task<WebApplication> BuildAsync(LoadedConfiguration loaded, Action<ILoggingBuilder>? configureLogging = null)
    {
        var options = loaded.Options ?? throw new ArgumentException("the configuration has errors", nameof(loaded));
        var time = TimeProvider.System;

        var dataDirectory = DataDirectory.Resolve(options.Storage);
        DataDirectory.Prepare(dataDirectory);
        var database = new SqliteDatabase(Path.Combine(dataDirectory, "pbx.db"), TimeSpan.FromSeconds(options.Storage.BusyTimeoutSeconds));
        try
        {
            await Migrator.MigrateAsync(database);
        }
        catch (StorageException ex)
        {
            throw new StartupException(ex.Message, ex);
        }
        var adminToken = AdminToken.Resolve(options.Admin.Token, dataDirectory);
        var certificate = TlsCertificateLoader.LoadOrCreate(options.Tls, dataDirectory, time, out var certificateCreated);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(loaded.Root!);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.Shutdown.DrainSeconds));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1 << 20;
            kestrel.Listen(IPAddress.Parse(options.Admin.Address), options.Admin.Port);
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(new DataLocation(dataDirectory));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(adminToken);
        builder.Services.AddSingleton(new ServerCertificate(certificate));
        builder.Services.AddSingleton<IDirectoryStore, SqliteDirectoryStore>();
        builder.Services.AddSingleton<ICallJournal, SqliteCallJournal>();
        builder.Services.AddSingleton<IChatArchive, SqliteChatArchive>();
        builder.Services.AddSingleton<IRosterStore, SqliteRosterStore>();
        builder.Services.AddSingleton<IOfflineMessageStore, SqliteOfflineMessageStore>();
        builder.Services.AddSingleton<IVCardStore, SqliteVCardStore>();
        builder.Services.AddSingleton<IBlockListStore, SqliteBlockListStore>();
        builder.Services.AddSingleton(provider =>
        {
            var routing = new SqliteRoutingSettings(database, time);
            // The users table's trigger drops a deleted user's routing rows; memory must follow, or a new user of that name inherits them.
            provider.GetRequiredService<IDirectoryStore>().UserChanged += change =>
            {
                if (change.Deleted) routing.Forget(new RoutingParty.User(change.LoginId));
            };
            return routing;
        });
        builder.Services.AddSingleton<IRoutingSettings>(provider => provider.GetRequiredService<SqliteRoutingSettings>());
        Conferences.ConferenceStorage.Add(builder.Services, database, time);
        builder.Services.AddSingleton<PbxXmppDirectory>();
        AddSip(builder.Services, options.Sip);
        Calls.CallServices.Add(builder.Services, options);
        // One instance, both a hosted service and what the telephony presence feed publishes through.
        builder.Services.AddSingleton<XmppHostedService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<XmppHostedService>());
        // Hosted services start in registration order: the feed needs XMPP running and the registrations restored.
        builder.Services.AddHostedService<TelephonyPresenceFeed>();

        builder.Services.ConfigureHttpJsonOptions(json => ConfigureJson(json.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddPbxTelemetry(options.Telemetry);
        builder.Services.AddPbxHealthChecks();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapAdminApi();
        app.MapPbxTelemetry(options.Telemetry);
        app.MapPbxHealthChecks();

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Server");
        StartupLog.DataDirectory(log, dataDirectory);
        if (adminToken.File is { } tokenFile) StartupLog.AdminTokenFile(log, tokenFile);
        StartupLog.Certificate(log, certificateCreated ? "created self-signed" : "loaded", certificate.Subject, certificate.Thumbprint);
        app.Lifetime.ApplicationStarted.Register(() => StartupLog.Ready(log, string.Join(", ", app.Urls)));
        return app;
    }

    private static void AddSip(IServiceCollection services, SipOptions sip)
    {
        services.AddSingleton<IBindingStore, SqliteBindingStore>();
        services.AddSingleton<SipCredentialCache>();
        services.AddSingleton<BindingTable>();
        services.AddSingleton(new SipEndpoints(sip));
        services.AddSingleton(provider => new SourceGuard(new SourceGuardOptions
        {
            FailureLimit = sip.AuthFailureLimit,
            FailureWindow = TimeSpan.FromSeconds(sip.AuthFailureWindowSeconds),
            BanDuration = TimeSpan.FromSeconds(sip.BanSeconds),
            RequestsPerSecond = sip.RequestsPerSecondPerSource,
            Trusted = sip.TrustedNetworks.Select(IPNetwork.Parse).ToList(),
            RegisterAllow = sip.RegisterAllow.Select(IPNetwork.Parse).ToList(),
            RegisterDeny = sip.RegisterDeny.Select(IPNetwork.Parse).ToList(),
        }, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pbx.Sip.Security")));
        services.AddSingleton(provider => new QualifyService(
            provider.GetRequiredService<SipEndpoints>(), provider.GetRequiredService<BindingTable>(),
            TimeSpan.FromSeconds(sip.QualifyIntervalSeconds), TimeSpan.FromMilliseconds(sip.LaggedThresholdMs),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<QualifyService>>()));
        services.AddHostedService<SipService>();
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.Converters.Add(new JsonStringEnumConverter());
        // A misspelt field must be an error, not silently ignored.
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    }
}

/// <summary>The resolved data folder (database, generated token and certificate).</summary>
public sealed record DataLocation(string Directory);

/// <summary>The certificate SIP over TLS and XMPP serve.</summary>
public sealed record ServerCertificate(X509Certificate2 Certificate);
