using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Catalog;

public sealed record CloseResourceRequest(
    [property: Range(1, int.MaxValue)] int ResourceId,
    DateOnly From,
    DateOnly To,
    [property: Required, StringLength(200, MinimumLength = 1)] string Reason,
    bool MoveBookings);

public sealed record ClosureOutcome(long BookingId, int ElderId, string Outcome, long? NewBookingId);

public sealed record ClosureResponse(int Id, int ResourceId, DateOnly From, DateOnly To, string Reason, int SlotsClosed, IReadOnlyList<ClosureOutcome> Bookings);

/// <summary>
/// A closure (holiday, doctor away) closes a resource's slots for some days. Each affected booking is cancelled by
/// the hub and the elder told why; with MoveBookings the elder is first offered the same service at the same
/// time on the next open day of the same resource (within two weeks), and told the new time.
/// </summary>
public static class ClosureEndpoints
{
    public static readonly Problem BadRange = new("bad-date-range", 400, "结束日期不能早于开始日期，且最长90天");
    public static readonly Problem ResourceNotFound = new("resource-not-found", 404, "没有找到这个服务资源");

    public static void MapClosureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/closures", async (CloseResourceRequest body, ClaimsPrincipal user, EldercareDb db, BookingEngine engine,
            BookingReminders reminders, TimeProvider clock, CancellationToken ct) =>
        {
            var actor = Actor.From(user);
            var resource = await db.ServiceResources.AsNoTracking().SingleOrDefaultAsync(r => r.Id == body.ResourceId, ct);
            if (resource is null) return ResourceNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, resource.StationId) is { } denied) return denied.ToResult();
            if (body.To < body.From || body.To.DayNumber - body.From.DayNumber > 90) return BadRange.ToResult();

            var now = clock.GetUtcNow().UtcDateTime;
            var closure = new Closure { ResourceId = resource.Id, From = body.From, To = body.To, Reason = body.Reason.Trim(), MoveBookings = body.MoveBookings, CreatedAt = now, CreatedByStaffId = actor.Id };
            db.Closures.Add(closure);
            await db.SaveChangesAsync(ct);
            var closed = await db.Slots.Where(s => s.ResourceId == resource.Id && s.Date >= body.From && s.Date <= body.To)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SlotStatus.Closed), ct);

            var affected = await db.Bookings.AsNoTracking()
                .Where(b => b.ResourceId == resource.Id && b.Date >= body.From && b.Date <= body.To && Booking.Cancellable.Contains(b.Status))
                .OrderBy(b => b.Date).ThenBy(b => b.Start).ToListAsync(ct);
            var hub = Actor.System;
            var outcomes = new List<ClosureOutcome>();
            foreach (var booking in affected)
            {
                var cancelled = await engine.CancelAsync(hub, booking.Id, $"服务暂停：{closure.Reason}", ignoreCutoff: true, ct);
                if (cancelled.Refusal is not null) continue;
                Booking? moved = null;
                if (body.MoveBookings)
                {
                    var candidates = await db.Slots.AsNoTracking()
                        .Where(s => s.ResourceId == resource.Id && s.CatalogItemId == booking.CatalogItemId && s.Start == booking.Start
                            && s.Date > body.To && s.Date <= body.To.AddDays(14) && s.Status == SlotStatus.Open && s.Booked < s.Capacity)
                        .OrderBy(s => s.Date).Select(s => s.Id).ToListAsync(ct);
                    foreach (var slotId in candidates)
                    {
                        var result = await engine.BookAsync(hub with { Channel = booking.Channel },
                            new BookingRequest(booking.ElderId, slotId, booking.Mode), $"closure:{closure.Id}:{booking.Id}", ct);
                        if (result.Booking is not null) { moved = result.Booking; break; }
                    }
                }
                reminders.AddNotice(booking.ElderId, moved is null ? ReminderKind.BookingCancelled : ReminderKind.BookingMoved, moved?.Id ?? booking.Id, now,
                    moved is null
                        ? $"很抱歉，{booking.Date:M月d日} {booking.Start:HH:mm}的{booking.ServiceName}因{closure.Reason}取消了，费用和补贴已退回。"
                        : $"很抱歉，因{closure.Reason}，您的{booking.ServiceName}改到了{moved.Date:M月d日} {moved.Start:HH:mm}。");
                await db.SaveChangesAsync(ct);
                outcomes.Add(new ClosureOutcome(booking.Id, booking.ElderId, moved is null ? "Cancelled" : "Moved", moved?.Id));
            }
            return Results.Created($"/api/closures/{closure.Id}", new ClosureResponse(closure.Id, resource.Id, closure.From, closure.To, closure.Reason, closed, outcomes));
        }).WithTags("Catalog").RequireAuthorization()
          .WithSummary("Close a resource for some days (station managers, officers): bookings are moved or cancelled and elders told");
    }
}
