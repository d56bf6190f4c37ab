using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Telemetry;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Bookings;

public sealed record ReconciliationFindingResponse(long Id, DateTime FoundAt, string Kind, int StationId, long? BookingId, long? SlotId, string Detail,
    DateTime? ClosedAt, string? Note);

public sealed record CloseFindingRequest([property: Required, StringLength(500, MinimumLength = 1)] string Note);

/// <summary>
/// Checks that the books balance, as the booking engine promises, and says where they do not:
/// <list type="bullet">
/// <item>money: for every booking, what was taken = what it still holds (PaidFen) + what is owed or given back;</item>
/// <item>a cancelled or rejected booking holds no money and no subsidy (the money is owed back, the subsidy given back);</item>
/// <item>places: a slot's booked count = the bookings that hold a place in it;</item>
/// <item>no booking waits for a payment that was recorded.</item>
/// </list>
/// Runs every night over the last 40 days and what is ahead (and on demand for officers); each new disagreement becomes
/// a finding for the station that provides the service, which staff close with what they did and officers see for all.
/// </summary>
public sealed class Reconciliation(EldercareDb db, TimeProvider clock, HubMetrics metrics, ILogger<Reconciliation> log)
{
    public const int DaysBack = 40;

    private static readonly BookingStatus[] FreedPlace = [BookingStatus.Cancelled, BookingStatus.Rejected];

    /// <summary>Every disagreement found now (none are recorded).</summary>
    public async Task<List<ReconciliationFinding>> CheckAsync(CancellationToken ct)
    {
        var since = clock.Today().AddDays(-DaysBack);
        var now = clock.GetUtcNow().UtcDateTime;
        var findings = new List<ReconciliationFinding>();

        var places = await (from s in db.Slots.AsNoTracking()
                            join r in db.ServiceResources on s.ResourceId equals r.Id
                            where s.Date >= since
                            let holding = db.Bookings.Count(b => b.SlotId == s.Id && !FreedPlace.Contains(b.Status))
                            where holding != s.Booked
                            select new { s.Id, s.Date, s.Start, s.Booked, Holding = holding, r.StationId, r.Name }).ToListAsync(ct);
        findings.AddRange(places.Select(p => Finding("place-count", p.StationId, null, p.Id, now,
            $"{p.Name} {p.Date:M月d日} {p.Start:HH:mm}：记为已约{p.Booked}个，实际占位的预约{p.Holding}个")));

        var money = await (from b in db.Bookings.AsNoTracking()
                           join r in db.ServiceResources on b.ResourceId equals r.Id
                           where b.Date >= since
                           let taken = db.Payments.Where(p => p.BookingId == b.Id && p.Kind == PaymentKind.Payment).Sum(p => (long?)p.AmountFen) ?? 0
                           let owedBack = -(db.Payments.Where(p => p.BookingId == b.Id && p.Kind == PaymentKind.Refund).Sum(p => (long?)p.AmountFen) ?? 0)
                           let subsidy = db.SubsidyLedger.Where(l => l.BookingId == b.Id).Sum(l => (long?)l.AmountFen) ?? 0
                           where taken != b.PaidFen + owedBack || (FreedPlace.Contains(b.Status) && (b.PaidFen != 0 || subsidy != 0))
                               || (b.Status == BookingStatus.Requested && taken > 0)
                           select new { b.Id, b.Status, b.PaidFen, Taken = taken, OwedBack = owedBack, Subsidy = subsidy, r.StationId, b.ServiceName, b.Date }).ToListAsync(ct);
        foreach (var m in money)
        {
            var what = $"预约{m.Id}（{m.ServiceName} {m.Date:M月d日}，{m.Status}）";
            if (m.Taken != m.PaidFen + m.OwedBack)
                findings.Add(Finding("money", m.StationId, m.Id, null, now, $"{what}：收款{Yuan(m.Taken)}，记为已付{Yuan(m.PaidFen)}，应退{Yuan(m.OwedBack)}，对不上"));
            if (FreedPlace.Contains(m.Status) && m.PaidFen != 0)
                findings.Add(Finding("cancelled-holds-money", m.StationId, m.Id, null, now, $"{what}已取消，仍记有已付{Yuan(m.PaidFen)}"));
            if (FreedPlace.Contains(m.Status) && m.Subsidy != 0)
                findings.Add(Finding("cancelled-holds-subsidy", m.StationId, m.Id, null, now, $"{what}已取消，补贴{Yuan(m.Subsidy)}没有退回"));
            if (m.Status == BookingStatus.Requested && m.Taken > 0)
                findings.Add(Finding("paid-but-waiting", m.StationId, m.Id, null, now, $"{what}已收款{Yuan(m.Taken)}，却还在等付款"));
        }
        return findings;
    }

    /// <summary>Checks and records what is new (a disagreement already open is not recorded twice); answers the new findings.</summary>
    public async Task<List<ReconciliationFinding>> RunAsync(CancellationToken ct)
    {
        var found = await CheckAsync(ct);
        var open = (await db.ReconciliationFindings.AsNoTracking().Where(f => f.ClosedAt == null)
            .Select(f => new { f.Kind, f.BookingId, f.SlotId }).ToListAsync(ct)).Select(f => (f.Kind, f.BookingId, f.SlotId)).ToHashSet();
        var fresh = found.Where(f => !open.Contains((f.Kind, f.BookingId, f.SlotId))).ToList();
        db.ReconciliationFindings.AddRange(fresh);
        await db.SaveChangesAsync(ct);
        foreach (var finding in fresh) metrics.IntegrityHit(finding.Kind);
        if (found.Count == 0) log.LogInformation("Reconciliation: everything balances");
        else log.LogWarning("Reconciliation: {Count} disagreements ({New} new) for the stations to look into", found.Count, fresh.Count);
        return fresh;
    }

    private static ReconciliationFinding Finding(string kind, int stationId, long? bookingId, long? slotId, DateTime now, string detail) =>
        new() { Kind = kind, StationId = stationId, BookingId = bookingId, SlotId = slotId, FoundAt = now, Detail = detail.Length > 300 ? detail[..300] : detail };

    private static string Yuan(long fen) => $"{fen / 100m:0.##}元";

    public static ReconciliationFindingResponse ToResponse(ReconciliationFinding f) =>
        new(f.Id, f.FoundAt, f.Kind, f.StationId, f.BookingId, f.SlotId, f.Detail, f.ClosedAt, f.Note);
}

public static class ReconciliationEndpoints
{
    public static readonly Problem FindingNotFound = new("finding-not-found", 404, "没有找到这条对账异常");
    public static readonly Problem FindingClosed = new("finding-closed", 409, "这条对账异常已经处理过了");

    public static void MapReconciliation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/reconciliation").WithTags("Reconciliation").RequireAuthorization();

        group.MapGet("/findings", async (int? stationId, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            // Officers see every station's (or the one asked for); a station's window staff their own.
            if (!AccessPolicy.IsOfficer(actor) && !AccessPolicy.AtTheWindow(actor)) return Problems.Forbidden.ToResult();
            var station = AccessPolicy.IsOfficer(actor) ? stationId : actor.StationId;
            var query = db.ReconciliationFindings.AsNoTracking().Where(f => f.ClosedAt == null);
            if (station is { } s) query = query.Where(f => f.StationId == s);
            return Results.Ok((await query.OrderBy(f => f.Id).Take(500).ToListAsync(ct)).Select(Reconciliation.ToResponse));
        }).Produces<List<ReconciliationFindingResponse>>().WithSummary("Open reconciliation findings: a station's own (its clerks and manager), or every station's (officers, optionally ?stationId=)");

        group.MapPost("/run", async (Reconciliation reconciliation, CancellationToken ct) =>
            Results.Ok((await reconciliation.RunAsync(ct)).Select(Reconciliation.ToResponse)))
            .RequireAuthorization(AccessPolicy.OfficersOnly).Produces<List<ReconciliationFindingResponse>>().WithSummary("Reconcile now (it also runs every night): answers the new findings");

        group.MapPost("/findings/{id:long}/close", async (long id, CloseFindingRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var finding = await db.ReconciliationFindings.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
            if (finding is null) return FindingNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, finding.StationId) is { } denied) return denied.ToResult();
            var closed = await db.ReconciliationFindings.Where(f => f.Id == id && f.ClosedAt == null).ExecuteUpdateAsync(s => s
                .SetProperty(f => f.ClosedAt, clock.GetUtcNow().UtcDateTime).SetProperty(f => f.ClosedByStaffId, actor.Id).SetProperty(f => f.Note, body.Note.Trim()), ct);
            return closed == 0 ? FindingClosed.ToResult() : Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).WithSummary("The station's manager (or an officer) closes a finding with what was done about it");
    }
}

/// <summary>Reconciles every night at 02:30 Beijing time.</summary>
[DisallowConcurrentExecution]
public sealed class ReconciliationJob(Reconciliation reconciliation) : IJob
{
    public static readonly JobKey Key = new("reconciliation", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await reconciliation.RunAsync(ct);
}
