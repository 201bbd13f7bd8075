using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pbx.Server.Configuration;

namespace Pbx.Server.Telemetry;

internal static class TelemetrySetup
{
    /// <summary>Every stack names its Meter and ActivitySource "Pbx.&lt;Stack&gt;", so one wildcard picks up all.</summary>
    public const string SourcePattern = "Pbx.*";

    public static IServiceCollection AddPbxTelemetry(this IServiceCollection services, TelemetryOptions options)
    {
        var otlp = options.OtlpEndpoint.Length > 0 ? new Uri(options.OtlpEndpoint) : null;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("pbx-server", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SourcePattern).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                if (options.PrometheusScraping) metrics.AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(SourcePattern).AddAspNetCoreInstrumentation();
                if (otlp is not null) tracing.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        return services;
    }

    public static void MapPbxTelemetry(this WebApplication app, TelemetryOptions options)
    {
        if (options.PrometheusScraping) app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
