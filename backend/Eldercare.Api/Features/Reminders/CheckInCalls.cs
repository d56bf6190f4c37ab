using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Reminders;

/// <summary>
/// The daily check-in calls (电话问候) to elders on the patrol list: one call reminder per elder per day at the time
/// they chose. Unanswered calls are followed up by <see cref="DeliveryOutcomes"/>.
/// </summary>
public sealed class CheckInCalls(EldercareDb db, TimeProvider clock, ILogger<CheckInCalls> log)
{
    public const string CallText = "您好！这里是社区养老服务驿站，每天给您打个问候电话。您一切都好的话请按1，需要帮助请按0，我们马上转人工；有紧急情况请按9。";

    /// <summary>A call that should have gone out this long ago is still made (the hub was down); older ones are not.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromHours(2);

    /// <summary>
    /// Writes the day's calls for every active elder on the list who has none yet (or only for <paramref name="elderId"/>,
    /// when one elder's time changed); returns how many were written.
    /// </summary>
    public async Task<int> ScheduleDayAsync(DateOnly day, CancellationToken ct, int? elderId = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (dayStart, dayEnd) = BusinessTime.DayInUtc(day);
        var elders = db.Elders.AsNoTracking().Where(e => e.DailyCheckInAt != null && e.Status == ElderStatus.Active);
        var calls = db.Reminders.Where(r => r.Kind == ReminderKind.CheckInCall && r.DueAt >= dayStart && r.DueAt < dayEnd);
        if (elderId is { } id) (elders, calls) = (elders.Where(e => e.Id == id), calls.Where(r => r.ElderId == id));
        var onList = await elders.Select(e => new { e.Id, At = e.DailyCheckInAt!.Value }).ToListAsync(ct);
        var scheduled = (await calls.Select(r => r.ElderId).Distinct().ToListAsync(ct)).ToHashSet();
        var written = 0;
        foreach (var elder in onList.Where(e => !scheduled.Contains(e.Id)))
        {
            var dueAt = BusinessTime.ToUtc(day, elder.At);
            if (dueAt < now - Grace) continue;
            db.Reminders.Add(new Reminder { ElderId = elder.Id, Kind = ReminderKind.CheckInCall, Text = CallText, CreatedAt = now, DueAt = dueAt });
            written++;
        }
        await db.SaveChangesAsync(ct);
        if (written > 0) log.LogInformation("Scheduled {Count} check-in calls for {Day}", written, day);
        return written;
    }
}

/// <summary>The time of the daily check-in call (Beijing time), or null to take the elder off the patrol list.</summary>
public sealed record DailyCheckInRequest(TimeOnly? At);

public sealed record DailyCheckInResponse(int ElderId, TimeOnly? At);

/// <summary>
/// The patrol list: station staff put an elder of their zone on it with the time they want to be called each day,
/// move the time, or take them off. Today's call follows the change unless today's calls have begun.
/// </summary>
public static class PatrolListEndpoints
{
    public static readonly Problem OutsideCallingHours = new("check-in-time-invalid", 400, "问候电话的时间请选在早上7点到晚上9点之间");

    public static void MapPatrolList(this IEndpointRouteBuilder app) =>
        app.MapPut("/api/elders/{id:int}/daily-check-in", async (int id, DailyCheckInRequest body, Actor actor, AccessPolicy access,
            EldercareDb db, CheckInCalls calls, TimeProvider clock, CancellationToken ct) =>
        {
            if (!AccessPolicy.AtTheWindow(actor)) return Problems.Forbidden.ToResult();
            if (await access.CheckElderAsync(actor, id, write: true, ct) is { } denied) return denied.ToResult();
            if (body.At is { } at && (at < new TimeOnly(7, 0) || at > new TimeOnly(21, 0))) return OutsideCallingHours.ToResult();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Elders.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.DailyCheckInAt, body.At), ct);
            // Today's call, if it has not started, is withdrawn and written again at the new time (if any). Once
            // today's calls have begun (and perhaps wait for a retry), the change applies from tomorrow.
            var (dayStart, dayEnd) = BusinessTime.DayInUtc(clock.Today());
            var today = db.Reminders.Where(r => r.ElderId == id && r.Kind == ReminderKind.CheckInCall && r.DueAt >= dayStart && r.DueAt < dayEnd);
            if (!await today.AnyAsync(r => r.Status != ReminderStatus.Pending, ct))
            {
                await today.ExecuteDeleteAsync(ct);
                await calls.ScheduleDayAsync(clock.Today(), ct, elderId: id);
            }
            await tx.CommitAsync(ct);
            return Results.Ok(new DailyCheckInResponse(id, body.At));
        }).WithTags("Reminders").RequireAuthorization()
          .Produces<DailyCheckInResponse>().WithSummary("Puts an elder on the patrol list with a daily check-in call time, moves it, or (null) takes them off");
}

/// <summary>Writes the day's check-in calls just after midnight (Beijing time), and at start for the rest of today.</summary>
[DisallowConcurrentExecution]
public sealed class CheckInScheduleJob(CheckInCalls calls, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("check-in-schedule", ReminderDispatchJob.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await calls.ScheduleDayAsync(clock.Today(), ct);
}
