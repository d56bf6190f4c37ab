using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Eldercare.Hotline;

/// <summary>The hotline service's entry point (a named class, so tests can reference this assembly beside the API's).</summary>
public static class HotlineProgram
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddConfigFolder(builder.Environment.EnvironmentName, baseName: "hotline");
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });

        builder.Services.AddValidatedOptions<HotlineOptions>("Hotline");
        // The demo's agent phone is the same program: it leaves the metrics port to the hotline.
        AddTelemetry(builder, servesMetrics: args is not ["agent-phone", ..]);
        // "agent-phone": the person the demo's calls reach (see AgentPhone), instead of the hotline itself.
        if (args is ["agent-phone", ..]) builder.Services.AddHostedService<AgentPhone>();
        else builder.Services.AddHotlineBackend().AddHostedService<HotlineService>();

        var host = builder.Build();
        if (!host.Services.SettingsAreValid()) return 1;
        await host.RunAsync();
        return 0;
    }

    /// <summary>
    /// Metrics (calls in progress by direction, key-to-prompt latency, the API calls) for Prometheus at
    /// Hotline:MetricsUrl when set; traces of each call, and metrics, to an OTLP collector when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// </summary>
    private static void AddTelemetry(HostApplicationBuilder builder, bool servesMetrics)
    {
        var metricsUrl = servesMetrics ? builder.Configuration["Hotline:MetricsUrl"] : null;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("eldercare-hotline"))
            .WithMetrics(m =>
            {
                m.AddMeter(HotlineMetrics.MeterName).AddHttpClientInstrumentation();
                if (Uri.TryCreate(metricsUrl, UriKind.Absolute, out var at))
                    m.AddPrometheusHttpListener(o => (o.Host, o.Port, o.ScrapeEndpointPath) = (at.Host, at.Port, at.AbsolutePath));
            });
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return;
        telemetry.WithTracing(t => t.AddSource(HotlineMetrics.MeterName).AddHttpClientInstrumentation());
        telemetry.UseOtlpExporter();
    }
}
