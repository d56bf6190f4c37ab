using Eldercare.Api.Infrastructure.Configuration;
using Quartz;

namespace Eldercare.Api.Features.Reminders;

public static class ReminderSetup
{
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReminderOptions>("Reminders");
        services.AddScoped<BookingReminders>();
        services.AddScoped<ReminderDispatcher>();
        return services;
    }

    /// <summary>The dispatch lanes, each a job of its own that fires every DispatchInterval.</summary>
    public static void ScheduleReminderDispatch(this IQuartzBuilder q, ReminderOptions options)
    {
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
