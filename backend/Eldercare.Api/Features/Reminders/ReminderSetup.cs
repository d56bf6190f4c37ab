using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Quartz;

namespace Eldercare.Api.Features.Reminders;

public static class ReminderSetup
{
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReminderOptions>("Reminders");
        services.AddScoped<BookingReminders>();
        services.AddScoped<ReminderDispatcher>();
        services.AddScoped<DeliveryOutcomes>();
        services.AddScoped<CheckInCalls>();
        services.AddScoped<WeChatSender>();
        services.AddWeChat();
        return services;
    }

    public static void MapReminders(this IEndpointRouteBuilder app)
    {
        app.MapDeliveryEndpoints();
        app.MapPatrolList();
    }

    /// <summary>
    /// The dispatch lanes, each a job of its own that fires every DispatchInterval; the WeChat sender; and the daily
    /// check-in calls, written at 00:05 Beijing time and at start.
    /// </summary>
    public static void ScheduleReminderDuties(this IQuartzBuilder q, ReminderOptions options, WeChatOptions wechat)
    {
        // Queued WeChat messages go out as soon as WeChat is configured; until then they wait in the queue.
        if (wechat.Enabled)
            q.ScheduleJob<WeChatSendJob>(
                trigger => trigger.WithIdentity(WeChatSendJob.Key.Name, WeChatSendJob.Key.Group).StartNow().WithSchedule(SimpleScheduleBuilder.Create()
                    .WithInterval(options.DispatchInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(WeChatSendJob.Key).WithDescription("Sends queued WeChat subscribe messages"));

        q.ScheduleJob<CheckInScheduleJob>(
            trigger => trigger.WithIdentity("check-in-schedule-nightly", ReminderDispatchJob.Group)
                .WithSchedule(CronScheduleBuilder.Create("0 5 0 * * ?").InTimeZone(BusinessTime.Zone)),
            job => job.WithIdentity(CheckInScheduleJob.Key).WithDescription("The day's check-in calls"));
        q.AddTrigger<CheckInScheduleJob>(trigger => trigger.ForJob(CheckInScheduleJob.Key).WithIdentity("check-in-schedule-at-start", ReminderDispatchJob.Group).StartNow());

        for (var lane = 1; lane <= options.DispatchLanes; lane++)
        {
            var key = new JobKey($"reminder-dispatch-{lane}", ReminderDispatchJob.Group);
            q.ScheduleJob<ReminderDispatchJob>(
                trigger => trigger.WithIdentity(key.Name, key.Group).StartNow().WithSchedule(SimpleScheduleBuilder.Create()
                    .WithInterval(options.DispatchInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(key).WithDescription("Hands due reminders to their channels"));
        }
    }
}
