using Eldercare.Api.Data;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Infrastructure.Scheduling;

/// <summary>Records, per scheduler node, when it last ran a job and which trigger fired it.</summary>
public sealed class HeartbeatJob(EldercareDb db, TimeProvider clock) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var instance = $"{context.Scheduler.SchedulerName}/{context.Scheduler.SchedulerInstanceId}";
        var beat = await db.SchedulerHeartbeats.SingleOrDefaultAsync(h => h.InstanceId == instance, ct);
        if (beat is null)
        {
            beat = new SchedulerHeartbeat { InstanceId = instance, LastTrigger = "" };
            db.SchedulerHeartbeats.Add(beat);
        }
        beat.LastBeatAt = clock.GetUtcNow().UtcDateTime;
        beat.LastTrigger = context.Trigger.Key.ToString();
        beat.Beats++;
        await db.SaveChangesAsync(ct);
    }
}
