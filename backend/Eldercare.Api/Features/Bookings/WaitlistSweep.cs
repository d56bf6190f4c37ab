using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Bookings;

/// <summary>
/// A safety net for the waitlist: a place is normally offered to waiters the moment it frees, but if the hub
/// stopped in between, or capacity was raised, this sweep offers it. Waiters whose slot can no longer be booked
/// (past its cut-off, or closed) are told their wait has ended.
/// </summary>
public sealed class WaitlistSweep(EldercareDb db, BookingEngine engine, BookingReminders reminders, TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var waiting = db.WaitlistEntries.Where(w => w.Status == WaitlistStatus.Waiting);

        var ended = await (from w in waiting
                           join s in db.Slots on w.SlotId equals s.Id
                           where s.CutoffAt < now || s.Status == SlotStatus.Closed
                           select w).AsNoTracking().ToListAsync(ct);
        foreach (var entry in ended)
        {
            var changed = await db.WaitlistEntries.Where(w => w.Id == entry.Id && w.Status == WaitlistStatus.Waiting).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Status, WaitlistStatus.Expired).SetProperty(w => w.Outcome, "候补时间已过，没有空出位置").SetProperty(w => w.UpdatedAt, now), ct);
            if (changed == 0) continue;
            reminders.AddNotice(entry.ElderId, ReminderKind.BookingCancelled, null, now, "很抱歉，您排队候补的服务没有空出位置，候补已结束。");
            await db.SaveChangesAsync(ct);
        }

        var withRoom = await (from s in db.Slots
                              where s.Status == SlotStatus.Open && s.CutoffAt >= now && s.Booked < s.Capacity
                                 && waiting.Any(w => w.SlotId == s.Id)
                              select s.Id).ToListAsync(ct);
        foreach (var slotId in withRoom) await engine.PromoteWaitlistAsync(slotId, ct);
        return withRoom.Count;
    }
}

/// <summary>Runs the waitlist sweep every five minutes.</summary>
public sealed class WaitlistSweepJob(WaitlistSweep sweep) : IJob
{
    public static readonly JobKey Key = new("waitlist-sweep", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sweep.RunAsync(ct);
}
