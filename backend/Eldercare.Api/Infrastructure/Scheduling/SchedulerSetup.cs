using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Features.Meals;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.WeChat;
using Eldercare.Api.Features.Payments;
using Quartz;

namespace Eldercare.Api.Infrastructure.Scheduling;

public sealed class SchedulerOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>With PostgreSQL, how often each node tells the cluster it is alive (a silent node is taken over after twice this).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")] public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);
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
        var reminders = configuration.GetSection("Reminders").Get<ReminderOptions>() ?? new ReminderOptions();
        var wechat = configuration.GetSection("WeChat").Get<WeChatOptions>() ?? new WeChatOptions();
        var wechatPay = configuration.GetSection("WeChatPay").Get<WeChatPayOptions>() ?? new WeChatPayOptions();

        services.AddQuartz(Name, q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                if (database.IsPostgres)
                {
                    store.UsePostgres(database.ConnectionString);
                    // Nodes sharing the database form one cluster: each trigger fires on exactly one node, and the
                    // work of a node that stops checking in is taken over by the others.
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = scheduler.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = scheduler.ClusterCheckinInterval * 2;
                    });
                }
                else
                    store.UseSqlite(database.ConnectionString);
            });

            q.ScheduleJob<HeartbeatJob>(
                trigger => trigger.WithIdentity("heartbeat", "system").StartNow().WithSchedule(SimpleScheduleBuilder.Create()
                    .WithInterval(scheduler.HeartbeatInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(HeartbeatJobKey).DisallowConcurrentExecution().WithDescription("Proves that the scheduler runs"));

            // Two weeks of slots stay open for booking: generated at start and every night at 00:10 (Beijing time).
            q.ScheduleJob<SlotGenerationJob>(
                trigger => trigger.WithIdentity("slot-generation-nightly", "booking")
                    .WithSchedule(CronScheduleBuilder.Create("0 10 0 * * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(SlotGenerationJob.Key).DisallowConcurrentExecution().WithDescription("Slots from weekly templates"));
            q.AddTrigger<SlotGenerationJob>(trigger => trigger.ForJob(SlotGenerationJob.Key).WithIdentity("slot-generation-at-start", "booking").StartNow());

            // Standing meal orders become bookings ahead of the 09:30 lunch and 15:00 dinner cut-offs.
            q.ScheduleJob<MealPlanOrdersJob>(
                trigger => trigger.WithIdentity("meal-plan-orders", "booking")
                    .WithSchedule(CronScheduleBuilder.Create("0 0 6,14 * * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(MealPlanOrdersJob.Key).DisallowConcurrentExecution().WithDescription("Standing meal orders to bookings"));

            // Elders who usually order a meal and have not yet are reminded before the cut-off.
            q.ScheduleJob<MealOrderRemindersJob>(
                trigger => trigger.WithIdentity("meal-order-reminders", "booking")
                    .WithSchedule(CronScheduleBuilder.Create("0 0/15 * * * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(MealOrderRemindersJob.Key).WithDescription("Meal order reminders before the cut-off"));

            // Bookings that wait for payment give their place back when the payment window closes.
            q.ScheduleJob<UnpaidBookingsJob>(
                trigger => trigger.WithIdentity("unpaid-bookings", "booking").StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(UnpaidBookingsJob.Key).WithDescription("Release unpaid bookings"));

            // Closures' bookings are moved or cancelled in the background: at once when a closure is made (triggered by its
            // endpoint), and every minute for any a restart left unfinished.
            q.ScheduleJob<ClosureSettlementJob>(
                trigger => trigger.WithIdentity("closure-settlement", "booking").StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(ClosureSettlementJob.Key).DisallowConcurrentExecution().WithDescription("Move or cancel closures' bookings"));

            // The books are reconciled every night: money, places and subsidies; disagreements go to the stations.
            q.ScheduleJob<ReconciliationJob>(
                trigger => trigger.WithIdentity("reconciliation-nightly", "booking")
                    .WithSchedule(CronScheduleBuilder.Create("0 30 2 * * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(ReconciliationJob.Key).DisallowConcurrentExecution().WithDescription("Nightly reconciliation of money and places"));

            // On the 1st, what subsidies paid per station and service line in the month before.
            q.ScheduleJob<SubsidySummaryJob>(
                trigger => trigger.WithIdentity("subsidy-summary-monthly", "booking")
                    .WithSchedule(CronScheduleBuilder.Create("0 0 6 1 * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(SubsidySummaryJob.Key).WithDescription("Monthly subsidy summary per station"));

            // Freed places reach waiters even if the hub stopped between a cancel and the promotion; ended waits are closed.
            q.ScheduleJob<WaitlistSweepJob>(
                trigger => trigger.WithIdentity("waitlist-sweep", "booking").StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(5)).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(WaitlistSweepJob.Key).DisallowConcurrentExecution().WithDescription("Waitlist safety net"));

            // Home visits long past their end without a clock-out go to the station's review queue.
            q.ScheduleJob<Features.Visits.MissingClockOutJob>(
                trigger => trigger.WithIdentity("missing-clock-out", "visits").StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(Features.Visits.MissingClockOutJob.Key).DisallowConcurrentExecution().WithDescription("Visits missing their clock-out"));

            // Patrol visits are scheduled every morning (a morning missed while the hub was down runs when it starts).
            q.ScheduleJob<Features.Visits.PatrolScheduleJob>(
                trigger => trigger.WithIdentity("patrol-schedule", "visits").StartNow()
                    .WithSchedule(CronScheduleBuilder.Create("0 0 5 * * ?").InTimeZone(BusinessTime.Zone)),
                job => job.WithIdentity(Features.Visits.PatrolScheduleJob.Key).DisallowConcurrentExecution().WithDescription("Patrol visits per elder"));

            // Refunds owed on mini-program payments go back through WeChat Pay.
            if (wechatPay.Enabled)
                q.ScheduleJob<WeChatRefundsJob>(
                    trigger => trigger.WithIdentity("wechat-refunds", "payments").StartNow()
                        .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()
                            .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                    job => job.WithIdentity(WeChatRefundsJob.Key).WithDescription("Refunds of mini-program payments"));

            // Due reminders go out to WeChat, the hotline's dialler and the staff console; check-in calls are written daily.
            q.ScheduleReminderDuties(reminders, wechat);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
