using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Infrastructure.Configuration;
using Quartz;

namespace Eldercare.Api.Infrastructure.Scheduling;

public sealed class SchedulerOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Quartz runs every timed duty of the hub. Jobs and triggers live in the hub's own database
/// (Quartz creates its tables from the DDL embedded in Quartz.dll when they are missing), so a
/// scheduled duty survives a restart.
/// </summary>
public static class SchedulerSetup
{
    /// <summary>The scheduler's name, also its key in the service container: inject it as
    /// <c>[FromKeyedServices(SchedulerSetup.Name)] IScheduler</c>. Nodes sharing a database share its jobs.</summary>
    public const string Name = "eldercare";

    public static readonly JobKey HeartbeatJobKey = new("heartbeat", "system");

    public static IServiceCollection AddScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SchedulerOptions>("Scheduler");
        // Quartz is configured while services are registered, before options are validated, so read the
        // raw values here; ValidateOnStart still stops the process if they are wrong.
        var scheduler = configuration.GetSection("Scheduler").Get<SchedulerOptions>() ?? new SchedulerOptions();
        var database = configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();

        services.AddQuartz(Name, q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                if (database.IsPostgres)
                    store.UsePostgres(database.ConnectionString);
                else
                    store.UseSqlite(database.ConnectionString);
            });

            q.ScheduleJob<HeartbeatJob>(
                trigger => trigger.WithIdentity("heartbeat", "system").StartNow().WithSchedule(SimpleScheduleBuilder.Create()
                    .WithInterval(scheduler.HeartbeatInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(HeartbeatJobKey).DisallowConcurrentExecution().WithDescription("Proves that the scheduler runs"));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
