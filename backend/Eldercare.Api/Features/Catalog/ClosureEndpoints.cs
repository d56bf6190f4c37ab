using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Scheduling;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Catalog;

public sealed record CloseResourceRequest(
    [property: Range(1, int.MaxValue)] int ResourceId,
    DateOnly From,
    DateOnly To,
    [property: Required, StringLength(200, MinimumLength = 1)] string Reason,
    bool MoveBookings);

/// <summary>A closure and how far the hub has got with its bookings (Remaining = affected less moved and cancelled).</summary>
public sealed record ClosureResponse(int Id, int ResourceId, DateOnly From, DateOnly To, string Reason, bool MoveBookings, int SlotsClosed,
    int BookingsAffected, int BookingsMoved, int BookingsCancelled, int Remaining, bool Settled, DateTime? SettledAt);

/// <summary>
/// A closure (holiday, doctor away) closes a resource's slots for some days at once; its bookings are then settled in
/// the background by <see cref="ClosureSettlement"/>: each moved (MoveBookings: the same service at the same time on
/// the next open day of the same resource within two weeks) or cancelled, and the elder told.
/// </summary>
public static class ClosureEndpoints
{
    public static readonly Problem BadRange = new("bad-date-range", 400, "结束日期不能早于开始日期，且最长90天");
    public static readonly Problem ResourceNotFound = new("resource-not-found", 404, "没有找到这个服务资源");
    public static readonly Problem ClosureNotFound = new("closure-not-found", 404, "没有找到这次暂停");

    public static void MapClosureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/closures", async (CloseResourceRequest body, Actor actor, EldercareDb db, TimeProvider clock,
            [FromKeyedServices(SchedulerSetup.Name)] IScheduler scheduler, CancellationToken ct) =>
        {
            var resource = await db.ServiceResources.AsNoTracking().SingleOrDefaultAsync(r => r.Id == body.ResourceId, ct);
            if (resource is null) return ResourceNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, resource.StationId) is { } denied) return denied.ToResult();
            if (body.To < body.From || body.To.DayNumber - body.From.DayNumber > 90) return BadRange.ToResult();

            var closure = new Closure
            {
                ResourceId = resource.Id, From = body.From, To = body.To, Reason = body.Reason.Trim(), MoveBookings = body.MoveBookings,
                CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedByStaffId = actor.Id,
            };
            int closed;
            // The slots close and the closure is recorded together: from the commit on, nobody can book the closed days,
            // and every booking they hold is counted here and settled by the job.
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                closed = await db.Slots.Where(s => s.ResourceId == resource.Id && s.Date >= body.From && s.Date <= body.To)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SlotStatus.Closed), ct);
                closure.BookingsAffected = await ClosureSettlement.Affected(db, closure).CountAsync(ct);
                if (closure.BookingsAffected == 0) closure.SettledAt = closure.CreatedAt;
                db.Closures.Add(closure);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            if (closure.SettledAt is null) await scheduler.TriggerJob(ClosureSettlementJob.Key, ct);
            return Results.Accepted($"/api/closures/{closure.Id}", ToResponse(closure, closed));
        }).WithTags("Catalog").RequireAuthorization()
          .Produces<ClosureResponse>(StatusCodes.Status202Accepted).WithSummary("Close a resource for some days (station managers, officers): the slots close at once; the bookings are moved or cancelled in the background and the elders told (follow GET /api/closures/{id})");

        app.MapGet("/api/closures/{id:int}", async (int id, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            var found = await (from x in db.Closures.AsNoTracking()
                               join r in db.ServiceResources on x.ResourceId equals r.Id
                               where x.Id == id
                               select new { Closure = x, r.StationId }).SingleOrDefaultAsync(ct);
            if (found is null) return ClosureNotFound.ToResult();
            if (AccessPolicy.CheckWorksAtStation(actor, found.StationId) is { } denied) return denied.ToResult();
            var c = found.Closure;
            var slots = await db.Slots.CountAsync(s => s.ResourceId == c.ResourceId && s.Date >= c.From && s.Date <= c.To && s.Status == SlotStatus.Closed, ct);
            return Results.Ok(ToResponse(c, slots));
        }).WithTags("Catalog").RequireAuthorization().Produces<ClosureResponse>().WithSummary("A closure and its progress: bookings affected, moved, cancelled, still to do");
    }

    public static ClosureResponse ToResponse(Closure c, int slotsClosed) => new(c.Id, c.ResourceId, c.From, c.To, c.Reason, c.MoveBookings, slotsClosed,
        c.BookingsAffected, c.BookingsMoved, c.BookingsCancelled, Math.Max(0, c.BookingsAffected - c.BookingsMoved - c.BookingsCancelled), c.SettledAt is not null, c.SettledAt);
}

/// <summary>
/// Settles the bookings of closures: oldest closure first, a bounded batch at a time, each booking in its own
/// transaction (<see cref="BookingEngine.SettleClosedBookingAsync"/>). What is left to do is read from the bookings
/// themselves (those still holding a place in the closed days), so after a crash the next run carries on where the
/// last stopped and nothing is moved or cancelled twice.
/// </summary>
public sealed class ClosureSettlement(EldercareDb db, BookingEngine engine, TimeProvider clock, ILogger<ClosureSettlement> log)
{
    public const int BatchSize = 50;

    /// <summary>The bookings a closure still has to settle.</summary>
    public static IQueryable<Booking> Affected(EldercareDb db, Closure closure) =>
        db.Bookings.Where(b => b.ResourceId == closure.ResourceId && b.Date >= closure.From && b.Date <= closure.To && Booking.Cancellable.Contains(b.Status));

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var settled = 0;
        var open = await db.Closures.AsNoTracking().Where(c => c.SettledAt == null).OrderBy(c => c.Id).ToListAsync(ct);
        foreach (var closure in open)
        {
            var tried = new HashSet<long>();
            while (true)
            {
                var batch = await Affected(db, closure).OrderBy(b => b.Date).ThenBy(b => b.Start).ThenBy(b => b.Id)
                    .Select(b => b.Id).Take(BatchSize).ToListAsync(ct);
                batch.RemoveAll(id => !tried.Add(id)); // one that could not be settled is not tried again in this run
                if (batch.Count == 0) break;
                foreach (var bookingId in batch)
                    if (await engine.SettleClosedBookingAsync(closure, bookingId, ct) is not null) settled++;
            }
            if (!await Affected(db, closure).AnyAsync(ct))
            {
                await db.Closures.Where(c => c.Id == closure.Id && c.SettledAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.SettledAt, clock.GetUtcNow().UtcDateTime), ct);
                log.LogInformation("Closure {ClosureId} settled", closure.Id);
            }
        }
        return settled;
    }
}

/// <summary>Settles closures: started at once when one is made, and every minute for any a crash or restart left unfinished.</summary>
[DisallowConcurrentExecution]
public sealed class ClosureSettlementJob(ClosureSettlement settlement) : IJob
{
    public static readonly JobKey Key = new("closure-settlement", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await settlement.RunAsync(ct);
}
