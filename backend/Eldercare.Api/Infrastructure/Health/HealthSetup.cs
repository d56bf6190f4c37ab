using System.Text.Json;
using Eldercare.Api.Data;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Api.Infrastructure.Scheduling;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace Eldercare.Api.Infrastructure.Health;

/// <summary>
/// /health/live: the process answers. /health/ready: the database, Redis and the scheduler all work.
/// Both answer a plain "Healthy"/"Unhealthy" (503 when unhealthy), or per-check JSON when asked for JSON.
/// </summary>
public static class HealthSetup
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database")
            .AddCheck<RedisCheck>("redis")
            .AddCheck<SchedulerCheck>("scheduler");
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = _ => true, ResponseWriter = Write }).AllowAnonymous();
    }

    private static Task Write(HttpContext http, HealthReport report)
    {
        if (!http.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync(report.Status.ToString());
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }));
    }

    private sealed class DatabaseCheck(EldercareDb db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy(db.Database.ProviderName)
                : HealthCheckResult.Unhealthy("The database cannot be reached.");
    }

    private sealed class RedisCheck(RedisConnection redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                var latency = await redis.Database.PingAsync();
                return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis cannot be reached.");
            }
        }
    }

    private sealed class SchedulerCheck([FromKeyedServices(SchedulerSetup.Name)] IScheduler scheduler) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            return Task.FromResult( scheduler.Status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy($"{scheduler.SchedulerName}/{scheduler.SchedulerInstanceId}")
                : HealthCheckResult.Unhealthy($"The scheduler is {scheduler.Status}."));
        }
    }
}
