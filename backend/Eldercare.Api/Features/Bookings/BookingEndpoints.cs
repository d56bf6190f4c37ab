using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record CreateBookingRequest(
    [property: Range(1, int.MaxValue)] int ElderId,
    [property: Range(1, long.MaxValue)] long SlotId,
    ServiceModes? Mode,
    bool PayAtWindow = false) : IForElder;

/// <summary>Staff move a booking along: Assigned, InService, Completed, NoShow or Rejected.</summary>
public sealed record TransitionBookingRequest(BookingStatus To, [property: StringLength(200)] string? Note);

public sealed record RateBookingRequest([property: Range(1, 5)] int Score, [property: StringLength(200)] string? Comment);

public sealed record CancelBookingRequest([property: Required, StringLength(200, MinimumLength = 1)] string Reason);

public static class BookingEndpoints
{
    public static void MapBookingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/bookings").WithTags("Bookings").RequireAuthorization();

        group.MapPost("/", async (CreateBookingRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
            Actor actor, BookingEngine engine, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 100)
                return BookingProblems.IdempotencyKeyRequired.ToResult("Idempotency-Key 必须是 1-100 个字符");
            var result = await engine.BookAsync(actor, new BookingRequest(body.ElderId, body.SlotId, body.Mode, body.PayAtWindow), idempotencyKey, ct);
            if (result.Refusal is { } refusal) return refusal.ToResult();
            var response = result.Booking!.ToResponse();
            return result.Created
                ? Results.Created($"/api/bookings/{response.Id}", response)
                : Results.Ok(response); // a retry of a request that already booked
        }).ForElder(write: true).Produces<BookingResponse>(StatusCodes.Status201Created).Produces<BookingResponse>()
            .WithSummary("Book a slot for an elder (Idempotency-Key header required); a retry with the same key answers 200 with the booking it made");

        group.MapGet("/{id:long}", async (long id, Actor actor, AccessPolicy access, BookingEngine engine, EldercareDb db, CancellationToken ct) =>
        {
            var booking = await engine.LoadAsync(id, ct);
            if (booking is null) return BookingProblems.BookingNotFound.ToResult();
            if (await access.CheckElderAsync(actor, booking.ElderId, write: false, ct) is { } denied) return denied.ToResult();
            return Results.Ok(booking.ToResponse(places: await db.PlacesAsync([booking], ct)));
        }).Produces<BookingResponse>().WithSummary("One booking with its history");

        group.MapGet("/", async ([FromQuery] int? elderId, [FromQuery] BookingStatus? status, [FromQuery] DateOnly? from, [FromQuery] DateOnly? to,
            Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            var elder = elderId ?? (actor.Kind == PrincipalKind.Elder ? actor.Id : null);
            if (elder is null) return Problems.ValidationFailed.ToResult("elderId is required");
            var query = db.Bookings.AsNoTracking().Where(b => b.ElderId == elder);
            if (status is { } s) query = query.Where(b => b.Status == s);
            if (from is { } f) query = query.Where(b => b.Date >= f);
            if (to is { } t) query = query.Where(b => b.Date <= t);
            var bookings = await query.OrderBy(b => b.Date).ThenBy(b => b.Start).Take(500).ToListAsync(ct);
            var places = await db.PlacesAsync(bookings, ct);
            return Results.Ok(bookings.Select(b => b.ToResponse(withHistory: false, places)));
        }).ForElder(write: false).Produces<List<BookingResponse>>().WithSummary("An elder's bookings, filtered by status and dates");

        group.MapPost("/{id:long}/cancel", async (long id, CancelBookingRequest body, Actor actor, AccessPolicy access,
            EldercareDb db, BookingEngine engine, CancellationToken ct) =>
        {
            if (await RefuseChangeAsync(db, access, actor, id, ct) is { } refused) return refused;
            // Past the cut-off only station staff may cancel (they can still stop the kitchen or the visit).
            var staffMayOverride = actor.Kind == PrincipalKind.Staff;
            var result = await engine.CancelAsync(actor, id, body.Reason.Trim(), staffMayOverride, ct);
            return result.Refusal is { } refusal ? refusal.ToResult() : Results.Ok(result.Booking!.ToResponse());
        }).Produces<BookingResponse>().WithSummary("Cancel a booking with a reason; frees its place and offers it to the waitlist");

        group.MapPost("/{id:long}/transitions", async (long id, TransitionBookingRequest body, Actor actor, AccessPolicy access,
            EldercareDb db, BookingEngine engine, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff) return BookingProblems.StaffOnly.ToResult();
            if (body.To is BookingStatus.Cancelled or BookingStatus.Rated or BookingStatus.Requested or BookingStatus.Confirmed)
                return BookingProblems.InvalidTransition.ToResult("取消请用取消接口；评价由老人或家属提交");
            var serviceStation = await (from b in db.Bookings join r in db.ServiceResources on b.ResourceId equals r.Id where b.Id == id select (int?)r.StationId)
                .SingleOrDefaultAsync(ct);
            if (serviceStation is null) return BookingProblems.BookingNotFound.ToResult();
            if (AccessPolicy.CheckRecordsProgress(actor, serviceStation.Value) is { } denied) return denied.ToResult();
            var result = await engine.TransitionAsync(actor, id, body.To, body.Note?.Trim(), ct);
            return result.Refusal is { } refusal ? refusal.ToResult() : Results.Ok(result.Booking!.ToResponse());
        }).Produces<BookingResponse>().WithSummary("Staff record a booking's progress: assigned, in service, completed, no-show or rejected");

        group.MapPost("/{id:long}/rating", async (long id, RateBookingRequest body, Actor actor, AccessPolicy access,
            EldercareDb db, BookingEngine engine, CancellationToken ct) =>
        {
            if (actor.Kind is not (PrincipalKind.Elder or PrincipalKind.Family)) return BookingProblems.RatersOnly.ToResult();
            if (await RefuseChangeAsync(db, access, actor, id, ct) is { } refused) return refused;
            var result = await engine.RateAsync(actor, id, body.Score, body.Comment, ct);
            return result.Refusal is { } refusal ? refusal.ToResult() : Results.Ok(result.Booking!.ToResponse());
        }).Produces<BookingResponse>().WithSummary("The elder or bound family rate a completed service, 1-5 with a comment");
    }

    /// <summary>Not found, or not this caller's to change; null when the caller may change the booking.</summary>
    private static async Task<IResult?> RefuseChangeAsync(EldercareDb db, AccessPolicy access, Actor actor, long bookingId, CancellationToken ct)
    {
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return BookingProblems.BookingNotFound.ToResult();
        return await access.CheckElderAsync(actor, elderId.Value, write: true, ct) is { } denied ? denied.ToResult() : null;
    }
}
