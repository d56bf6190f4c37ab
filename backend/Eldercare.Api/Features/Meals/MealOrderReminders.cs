using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Eldercare.Api.Features.Meals;

/// <summary>
/// Before a meal's order cut-off, elders who usually have that meal (several in the last two weeks) and have not
/// ordered it today are reminded, once. Elders with a standing order are left out: their meal is booked for them.
/// </summary>
public sealed class MealOrderReminders(EldercareDb db, IOptions<ReminderOptions> options, TimeProvider clock, ILogger<MealOrderReminders> log)
{
    public async Task<int> RemindAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = clock.Today();
        var lead = options.Value.MealOrderLead;
        // Today's meals whose earliest open cut-off is near: that cut-off, less the lead, is when the reminder is due.
        var nearCutoffs = (await db.Slots.Where(s => s.Date == today && s.MealPeriod != null && s.Status == SlotStatus.Open && s.CutoffAt > now)
                .GroupBy(s => s.MealPeriod).Select(g => new { Period = g.Key!.Value, Cutoff = g.Min(s => s.CutoffAt) }).ToListAsync(ct))
            .Where(p => p.Cutoff - lead <= now).ToList();
        var written = 0;
        foreach (var (period, cutoff) in nearCutoffs.Select(p => (p.Period, p.Cutoff)))
        {
            var dueAt = cutoff - lead;
            var since = today.AddDays(-14);
            var usual = db.Bookings.Where(b => b.Line == ServiceLine.Meals && b.MealPeriod == period && b.Date >= since && b.Date < today
                                               && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.Rejected)
                .GroupBy(b => b.ElderId).Where(g => g.Count() >= options.Value.MealOrderUsualCount).Select(g => g.Key);
            var elders = await db.Elders.Where(e => usual.Contains(e.Id) && e.Status == ElderStatus.Active
                    && !db.Bookings.Any(b => b.ElderId == e.Id && b.Date == today && b.MealPeriod == period && Booking.Holding.Contains(b.Status))
                    && !db.MealPlans.Any(p => p.ElderId == e.Id && p.Period == period && p.Status == MealPlanStatus.Active)
                    && !db.Reminders.Any(r => r.ElderId == e.Id && r.Kind == ReminderKind.MealOrderDue && r.DueAt == dueAt))
                .Select(e => e.Id).ToListAsync(ct);
            var meal = period == MealPeriod.Lunch ? "午餐" : "晚餐";
            var text = $"提醒您：今天的{meal}还没有订，{BusinessTime.ToBusinessTime(cutoff):HH:mm}前可以在小程序、拨打热线或到驿站预订。";
            foreach (var elderId in elders)
                db.Reminders.Add(new Reminder { ElderId = elderId, Kind = ReminderKind.MealOrderDue, Text = text, CreatedAt = now, DueAt = dueAt });
            written += elders.Count;
        }
        await db.SaveChangesAsync(ct);
        if (written > 0) log.LogInformation("Reminded {Count} elders to order a meal before the cut-off", written);
        return written;
    }
}

/// <summary>Looks for meal cut-offs coming up every quarter of an hour.</summary>
[DisallowConcurrentExecution]
public sealed class MealOrderRemindersJob(MealOrderReminders reminders) : IJob
{
    public static readonly JobKey Key = new("meal-order-reminders", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await reminders.RemindAsync(ct);
}
