using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Catalog;

/// <summary>
/// Turns the weekly slot templates into dated slots for the coming days. Running it again (or on two nodes
/// at once) creates nothing twice: a slot is unique per item, resource, date and start.
/// </summary>
public sealed class SlotGenerator(EldercareDb db, TimeProvider clock, ILogger<SlotGenerator> log)
{
    public const int DaysAhead = 14;

    public async Task<int> GenerateAsync(DateOnly from, int days, CancellationToken ct)
    {
        var to = from.AddDays(days - 1);
        var templates = await db.SlotTemplates.AsNoTracking().Where(t => t.IsActive).ToListAsync(ct);
        var existing = (await db.Slots.AsNoTracking().Where(s => s.Date >= from && s.Date <= to)
                .Select(s => new { s.CatalogItemId, s.ResourceId, s.Date, s.Start }).ToListAsync(ct))
            .Select(s => (s.CatalogItemId, s.ResourceId, s.Date, s.Start)).ToHashSet();
        var closures = await db.Closures.AsNoTracking().Where(c => c.To >= from && c.From <= to).ToListAsync(ct);

        var created = 0;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            foreach (var t in templates.Where(t => t.Weekday == day.DayOfWeek))
            {
                if (!existing.Add((t.CatalogItemId, t.ResourceId, day, t.Start))) continue;
                var closed = closures.Any(c => c.ResourceId == t.ResourceId && c.From <= day && day <= c.To);
                db.Slots.Add(new Slot
                {
                    CatalogItemId = t.CatalogItemId, ResourceId = t.ResourceId, TemplateId = t.Id, Date = day, Start = t.Start, End = t.End,
                    MealPeriod = t.MealPeriod, Capacity = t.Capacity, Booked = 0, Status = closed ? SlotStatus.Closed : SlotStatus.Open,
                    CutoffAt = BusinessTime.ToUtc(day.AddDays(-t.CutoffDaysBefore), t.CutoffTime),
                });
                created++;
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node generated the same days at the same moment: its slots stand, ours are dropped.
            db.ChangeTracker.Clear();
            log.LogInformation("Slots for {From}..{To} were generated concurrently elsewhere", from, to);
            return 0;
        }
        if (created > 0) log.LogInformation("Generated {Count} slots for {From}..{To}", created, from, to);
        return created;
    }

    public Task<int> GenerateAheadAsync(CancellationToken ct) => GenerateAsync(clock.Today(), DaysAhead, ct);
}

/// <summary>Keeps two weeks of slots open for booking; runs after midnight and once at start.</summary>
public sealed class SlotGenerationJob(SlotGenerator generator) : IJob
{
    public static readonly JobKey Key = new("slot-generation", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await generator.GenerateAheadAsync(ct);
}
