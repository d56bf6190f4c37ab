using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Bookings;

public sealed record SubsidySummaryResponse(int StationId, string StationName, string Month, ServiceLine Line, int Uses, int Elders, long AmountFen, DateTime ComputedAt);

/// <summary>
/// The monthly subsidy summary per station: what the ledger paid for each station's elders, per service line. Worked
/// out on the 1st for the month before; running it again for a month replaces that month's figures.
/// </summary>
public sealed class SubsidySummaries(EldercareDb db, TimeProvider clock, ILogger<SubsidySummaries> log)
{
    public async Task<int> ComputeAsync(string month, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var figures = await (from l in db.SubsidyLedger
                             join e in db.Elders on l.ElderId equals e.Id
                             join c in db.Communities on e.CommunityId equals c.Id
                             where l.Month == month
                             group l by new { c.StationId, l.Line } into g
                             select new
                             {
                                 g.Key.StationId, g.Key.Line, Amount = g.Sum(x => x.AmountFen),
                                 Uses = g.Count(x => x.AmountFen > 0) - g.Count(x => x.AmountFen < 0),
                                 Elders = g.Select(x => x.ElderId).Distinct().Count(),
                             }).ToListAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SubsidySummaries.Where(s => s.Month == month).ExecuteDeleteAsync(ct);
        db.SubsidySummaries.AddRange(figures.Select(f => new SubsidySummary
        {
            StationId = f.StationId, Month = month, Line = f.Line, Uses = f.Uses, Elders = f.Elders, AmountFen = f.Amount, ComputedAt = now,
        }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Subsidy summary for {Month}: {Count} station and service-line figures", month, figures.Count);
        return figures.Count;
    }

    public static void MapSubsidySummaryEndpoints(IEndpointRouteBuilder app) =>
        app.MapGet("/api/subsidy-summaries", async (string month, int? stationId, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (!SubsidyLedgerEndpoints.IsMonth(month)) return Problems.ValidationFailed.ToResult("month must be written yyyy-MM");
            // Officers settle every station; a station's own staff see their station.
            if (!AccessPolicy.IsOfficer(actor) && !AccessPolicy.AtTheWindow(actor)) return Problems.Forbidden.ToResult();
            if (!AccessPolicy.IsOfficer(actor))
            {
                if (stationId is not null && stationId != actor.StationId) return Problems.Forbidden.ToResult("只能查看本驿站的汇总");
                stationId = actor.StationId;
            }
            var rows = await (from s in db.SubsidySummaries.AsNoTracking()
                              join st in db.Stations on s.StationId equals st.Id
                              where s.Month == month && (stationId == null || s.StationId == stationId)
                              orderby st.Code, s.Line
                              select new SubsidySummaryResponse(s.StationId, st.Name, s.Month, s.Line, s.Uses, s.Elders, s.AmountFen, s.ComputedAt)).ToListAsync(ct);
            return Results.Ok(rows);
        }).WithTags("Bookings").RequireAuthorization()
          .Produces<List<SubsidySummaryResponse>>().WithSummary("The monthly subsidy summary per station and service line (officers: every station; station staff: their own)");
}

/// <summary>On the 1st of each month at 06:00 Beijing time, sums up the month before.</summary>
[DisallowConcurrentExecution]
public sealed class SubsidySummaryJob(SubsidySummaries summaries, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("subsidy-summary", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) =>
        await summaries.ComputeAsync(SubsidyRule.MonthPeriod(clock.Today().AddMonths(-1)), ct);
}
