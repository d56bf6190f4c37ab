using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Eldercare.Api.Features.Visits;

/// <summary>A patrol as the station and the caregiver see it: whom, why, by when, who goes, and whether it is late.</summary>
public sealed record PatrolResponse(long Id, int ElderId, string ElderName, string Address, string MaskedPhone, string Tier, DateOnly DueBy, bool Overdue,
    int? CaregiverId, string? CaregiverName, long? VisitId);

/// <summary>
/// Keeps one patrol visit (巡视探访) due for every elder whose groups call for one (or who asked): due a tier's
/// interval after the last patrol was done (after today for a first one), given to the station caregiver with the
/// fewest open patrols. Elders who died have their open patrol withdrawn. Runs daily; running twice changes nothing.
/// </summary>
public sealed class PatrolSchedule(EldercareDb db, IOptions<VisitOptions> options, TimeProvider clock, ILogger<PatrolSchedule> log)
{
    public async Task<int> ScheduleAsync(CancellationToken ct)
    {
        var today = clock.Today();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Patrols.Where(p => p.VisitId == null && db.Elders.Any(e => e.Id == p.ElderId && e.Status == ElderStatus.Deceased)).ExecuteDeleteAsync(ct);

        var elders = await (from e in db.Elders
                            join c in db.Communities on e.CommunityId equals c.Id
                            where e.Status != ElderStatus.Deceased && !db.Patrols.Any(p => p.ElderId == e.Id && p.DoneAt == null)
                            select new { e.Id, e.Groups, e.PatrolOptIn, c.StationId }).AsNoTracking().ToListAsync(ct);
        var lastDone = await db.Visits.Where(v => v.Kind == VisitKind.Patrol && v.ClockOut != null).GroupBy(v => v.ElderId)
            .Select(g => new { ElderId = g.Key, Last = g.Max(v => v.Date) }).ToDictionaryAsync(x => x.ElderId, x => x.Last, ct);
        var load = await db.Caregivers.Where(c => c.IsActive)
            .Select(c => new { c.Id, c.StationId, Open = db.Patrols.Count(p => p.CaregiverId == c.Id && p.VisitId == null) }).ToListAsync(ct);
        var open = load.ToDictionary(c => c.Id, c => c.Open);

        // Patrols scheduled while their station had no caregiver go to one now.
        var unassigned = await db.Patrols.Where(p => p.CaregiverId == null && p.DoneAt == null).ToListAsync(ct);
        foreach (var patrol in unassigned)
            if (load.Where(c => c.StationId == patrol.StationId).OrderBy(c => open[c.Id]).ThenBy(c => c.Id).Select(c => (int?)c.Id).FirstOrDefault() is { } taker)
                (patrol.CaregiverId, open[taker]) = (taker, open[taker] + 1);

        var added = 0;
        foreach (var elder in elders)
        {
            if (Patrol.TierOf(elder.Groups, elder.PatrolOptIn) is not { } tier) continue;
            var due = (lastDone.TryGetValue(elder.Id, out var last) ? last : today).AddDays(options.Value.PatrolEveryDays(tier));
            var caregiver = load.Where(c => c.StationId == elder.StationId).OrderBy(c => open[c.Id]).ThenBy(c => c.Id).Select(c => (int?)c.Id).FirstOrDefault();
            if (caregiver is { } given) open[given]++;
            db.Patrols.Add(new Patrol { ElderId = elder.Id, StationId = elder.StationId, Tier = tier, DueBy = due, CaregiverId = caregiver, CreatedAt = now });
            added++;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node scheduled some of the same elders a moment ago (one open patrol each): theirs stand.
            db.ChangeTracker.Clear();
            return 0;
        }
        if (added > 0) log.LogInformation("{Count} patrol visits scheduled", added);
        return added;
    }

    /// <summary>A station's patrols not yet done (in progress ones with their visit) due within the days shown ahead, overdue first; or one caregiver's.</summary>
    public async Task<List<PatrolResponse>> OpenAsync(int stationId, int? caregiverId, CancellationToken ct)
    {
        var today = clock.Today();
        var until = today.AddDays(options.Value.PatrolsShownAheadDays);
        var rows = await (from p in db.Patrols
                          join e in db.Elders on p.ElderId equals e.Id
                          join g in db.Caregivers on p.CaregiverId equals (int?)g.Id into given
                          from g in given.DefaultIfEmpty()
                          where p.StationId == stationId && p.DoneAt == null && p.DueBy <= until && (caregiverId == null || p.CaregiverId == caregiverId)
                          orderby p.DueBy, e.Name
                          select new { p, e.Name, e.Address, e.Phone, Caregiver = g == null ? null : g.Name }).AsNoTracking().ToListAsync(ct);
        return rows.Select(r => new PatrolResponse(r.p.Id, r.p.ElderId, r.Name, r.Address, Elders.ElderEndpoints.MaskPhone(r.Phone), r.p.Tier.ToString(), r.p.DueBy,
            r.p.DueBy < today, r.p.CaregiverId, r.Caregiver, r.p.VisitId)).ToList();
    }
}

/// <summary>Schedules patrol visits every morning.</summary>
[DisallowConcurrentExecution]
public sealed class PatrolScheduleJob(PatrolSchedule schedule) : IJob
{
    public static readonly JobKey Key = new("patrol-schedule", "visits");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await schedule.ScheduleAsync(ct);
}
