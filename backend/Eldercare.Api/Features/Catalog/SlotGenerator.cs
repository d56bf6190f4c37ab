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

        var slots = new List<Slot>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            foreach (var t in templates.Where(t => t.Weekday == day.DayOfWeek))
            {
                if (!existing.Add((t.CatalogItemId, t.ResourceId, day, t.Start))) continue;
                var closed = closures.Any(c => c.ResourceId == t.ResourceId && c.From <= day && day <= c.To);
                slots.Add(new Slot
                {
                    CatalogItemId = t.CatalogItemId, ResourceId = t.ResourceId, TemplateId = t.Id, Date = day, Start = t.Start, End = t.End,
                    MealPeriod = t.MealPeriod, Capacity = t.Capacity, Booked = 0, Status = closed ? SlotStatus.Closed : SlotStatus.Open,
                    CutoffAt = BusinessTime.ToUtc(day.AddDays(-t.CutoffDaysBefore), t.CutoffTime),
                });
            }
        }
        var created = await SaveAsync(slots, ct);
        if (created > 0) log.LogInformation("Generated {Count} slots for {From}..{To}", created, from, to);
        return created;
    }

    /// <summary>
    /// Saves new slots in one batch. If another node created some of the same slots meanwhile, the batch fails; then every
    /// slot is inserted on its own, skipping those that exist, so one clash never costs the others. Answers how many were created.
    /// </summary>
    public async Task<int> SaveAsync(IReadOnlyList<Slot> slots, CancellationToken ct)
    {
        if (slots.Count == 0) return 0;
        db.Slots.AddRange(slots);
        try
        {
            await db.SaveChangesAsync(ct);
            return slots.Count;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var created = 0;
            foreach (var slot in slots) created += await InsertUnlessThereAsync(slot, ct);
            log.LogInformation("Some slots were generated concurrently elsewhere; {Count} of {Planned} created here", created, slots.Count);
            return created;
        }
    }

    private Task<int> InsertUnlessThereAsync(Slot x, CancellationToken ct) => db.Database.ExecuteSqlInterpolatedAsync($"""
        INSERT INTO slots (catalog_item_id, resource_id, template_id, date, "start", "end", meal_period, capacity, booked, cutoff_at, status)
        VALUES ({x.CatalogItemId}, {x.ResourceId}, {x.TemplateId}, {x.Date}, {x.Start}, {x.End}, {x.MealPeriod?.ToString()}, {x.Capacity}, 0, {x.CutoffAt}, {x.Status.ToString()})
        ON CONFLICT (catalog_item_id, resource_id, date, "start") DO NOTHING
        """, ct);

    public Task<int> GenerateAheadAsync(CancellationToken ct) => GenerateAsync(clock.Today(), DaysAhead, ct);
}

/// <summary>Keeps two weeks of slots open for booking; runs after midnight and once at start.</summary>
public sealed class SlotGenerationJob(SlotGenerator generator) : IJob
{
    public static readonly JobKey Key = new("slot-generation", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await generator.GenerateAheadAsync(ct);
}
