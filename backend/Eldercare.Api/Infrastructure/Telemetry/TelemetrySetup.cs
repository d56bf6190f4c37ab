using Eldercare.Api.Features.Bookings;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Eldercare.Api.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry: metrics (requests by route, with latency; bookings by outcome and channel; reminder lag; queued
/// deliveries; the booking gate) for Prometheus at /metrics, and, when an OTLP collector is configured with the
/// standard OTEL_EXPORTER_OTLP_ENDPOINT, traces (incoming requests, outgoing HTTP, database and Redis commands) and metrics
/// sent there too. The hotline's calls carry their trace into the API (traceparent), beside the correlation id.
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "eldercare-api";
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<HubMetrics>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(HubMetrics.MeterName, BookingGate.MeterName)
                // Reminder lag in seconds to an hour: "on time" is under a minute, a stuck queue shows in the top buckets.
                .AddView(HubMetrics.ReminderLagName, new ExplicitBucketHistogramConfiguration { Boundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] })
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsHousekeeping(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                // Redis commands (sessions, locks, limits) join the request's trace; the hub's one connection is added
                // once it is connected, in the background (see RedisConnection).
                .AddRedisInstrumentation(o => o.FlushInterval = TimeSpan.FromSeconds(1))
                .ConfigureRedisInstrumentation((sp, redis) => sp.GetRequiredService<Redis.RedisConnection>().TraceWith(redis)));
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>Prometheus scrapes here; open like the health checks (counts and timings, nothing about anyone).</summary>
    public static void MapMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();

    private static bool IsHousekeeping(PathString path) => path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");
}
