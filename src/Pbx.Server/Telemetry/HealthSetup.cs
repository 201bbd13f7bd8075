using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pbx.Storage.Sqlite;

namespace Pbx.Server.Telemetry;

internal static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddPbxHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ListenersStartedCheck>("listeners", tags: [ReadyTag])
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag]);
        return services;
    }

    public static void MapPbxHealthChecks(this WebApplication app)
    {
        // Live: the process answers at all. Ready: every listener is bound and the database answers.
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) });
    }

    private sealed class ListenersStartedCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("stopping")
                : lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("starting"));
    }

    private sealed class DatabaseCheck(SqliteDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await database.RunAsync(c => c.ExecuteScalarAsync<int>("SELECT 1"), ct);
                return HealthCheckResult.Healthy();
            }
            catch (StorageException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
