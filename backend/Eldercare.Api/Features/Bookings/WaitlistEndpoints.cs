using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record JoinWaitlistRequest([property: Range(1, int.MaxValue)] int ElderId, [property: Range(1, long.MaxValue)] long SlotId, ServiceModes? Mode) : IForElder;

public sealed record WaitlistResponse(long Id, int ElderId, long SlotId, string Status, int PriorityTier, int Position, long? BookingId, string? Outcome);

public static class WaitlistEndpoints
{
    public static void MapWaitlistEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/waitlist").WithTags("Bookings").RequireAuthorization();

        group.MapPost("/", async (JoinWaitlistRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var slot = await db.Slots.AsNoTracking().SingleOrDefaultAsync(s => s.Id == body.SlotId, ct);
            if (slot is null) return BookingProblems.SlotNotFound.ToResult();
            var elder = await db.Elders.AsNoTracking().SingleOrDefaultAsync(e => e.Id == body.ElderId, ct);
            if (elder is null) return AccessPolicy.ElderNotFound.ToResult();
            var item = await db.CatalogItems.AsNoTracking().SingleAsync(i => i.Id == slot.CatalogItemId, ct);
            var mode = body.Mode ?? BookingEngine.DefaultMode(item.Modes);
            var now = clock.GetUtcNow().UtcDateTime;
            // Waiting is only worth it for a place the elder could take: same rules as booking, except that the slot is full.
            if (BookingEngine.CheckRules(elder, item, slot, mode, now) is { } refused) return refused.ToResult();
            if (slot.Remaining > 0) return BookingProblems.SlotAvailable.ToResult();
            if (await db.WaitlistEntries.AnyAsync(w => w.ElderId == elder.Id && w.SlotId == slot.Id && w.Status == WaitlistStatus.Waiting, ct))
                return BookingProblems.AlreadyWaiting.ToResult();

            var entry = new WaitlistEntry
            {
                ElderId = elder.Id, SlotId = slot.Id, PriorityTier = elder.PriorityTier(), Status = WaitlistStatus.Waiting, Mode = mode,
                Channel = actor.Channel, RequestedByKind = actor.HistoryKind, RequestedById = actor.HistoryId, CreatedAt = now, UpdatedAt = now,
            };
            db.WaitlistEntries.Add(entry);
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/waitlist/{entry.Id}", await ResponseAsync(db, entry, ct));
        }).ForElder(write: true).Produces<WaitlistResponse>(StatusCodes.Status201Created).WithSummary("Wait for a place in a full slot; the first eligible waiter (protected groups first) is booked when one frees");

        group.MapGet("/{id:long}", async (long id, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            var entry = await db.WaitlistEntries.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
            if (entry is null) return BookingProblems.WaitlistNotFound.ToResult();
            if (await access.CheckElderAsync(actor, entry.ElderId, write: false, ct) is { } denied) return denied.ToResult();
            return Results.Ok(await ResponseAsync(db, entry, ct));
        }).Produces<WaitlistResponse>().WithSummary("A waitlist entry with its place in the queue");

        group.MapDelete("/{id:long}", async (long id, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var entry = await db.WaitlistEntries.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
            if (entry is null) return BookingProblems.WaitlistNotFound.ToResult();
            if (await access.CheckElderAsync(actor, entry.ElderId, write: true, ct) is { } denied) return denied.ToResult();
            var left = await db.WaitlistEntries.Where(w => w.Id == id && w.Status == WaitlistStatus.Waiting).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Status, WaitlistStatus.Cancelled).SetProperty(w => w.UpdatedAt, clock.GetUtcNow().UtcDateTime), ct);
            return left == 1 ? Results.NoContent() : BookingProblems.WaitlistNotFound.ToResult("这条候补已经结束");
        }).Produces(StatusCodes.Status204NoContent).WithSummary("Leave the waitlist");
    }

    private static async Task<WaitlistResponse> ResponseAsync(EldercareDb db, WaitlistEntry entry, CancellationToken ct)
    {
        var ahead = 0;
        if (entry.Status == WaitlistStatus.Waiting)
            ahead = await db.WaitlistEntries.CountAsync(w => w.SlotId == entry.SlotId && w.Status == WaitlistStatus.Waiting
                && (w.PriorityTier > entry.PriorityTier
                    || (w.PriorityTier == entry.PriorityTier && (w.CreatedAt < entry.CreatedAt || (w.CreatedAt == entry.CreatedAt && w.Id < entry.Id)))), ct);
        return new WaitlistResponse(entry.Id, entry.ElderId, entry.SlotId, entry.Status.ToString(), entry.PriorityTier,
            entry.Status == WaitlistStatus.Waiting ? ahead + 1 : 0, entry.BookingId, entry.Outcome);
    }
}
