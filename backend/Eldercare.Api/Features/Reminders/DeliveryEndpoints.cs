using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Reminders;

public sealed record DeliveryOutcomeRequest([property: Required] bool? Delivered, [property: MaxLength(500)] string? Note);

/// <summary>
/// A delivery; <c>Phone</c> is the number to call, given only to the hotline service for its call queue;
/// <c>ElderName</c> is given to staff, who follow the tasks up in person. <c>Kind</c>, in a queue, says what the
/// reminder is about (a check-in call asks for a key; other calls are read out).
/// </summary>
public sealed record DeliveryResponse(long Id, long ReminderId, int ElderId, RecipientKind RecipientKind, int RecipientId,
    DeliveryChannel Channel, string Text, DeliveryStatus Status, DateTime CreatedAt, string? FailReason, string? Phone = null, string? ElderName = null,
    ReminderKind? Kind = null, long? BookingId = null);

/// <summary>What became of a report: the delivery, the next channel's delivery, a follow-up call, or when the same call is tried again.</summary>
public sealed record DeliveryOutcomeResponse(DeliveryResponse Delivery, DeliveryResponse? NextDelivery, long? FollowUpReminderId, DateTime? FollowUpDueAt, DateTime? RetryAt);

/// <summary>
/// The hand-over to the people and systems that deliver: the hotline's dialler takes its queue of calls and reports
/// whether each was answered; station staff see their zone's tasks and close them.
/// </summary>
public static class DeliveryEndpoints
{
    public static void MapDeliveryEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deliveries").WithTags("Reminders").RequireAuthorization();

        group.MapGet("/", async (DeliveryChannel channel, DeliveryStatus? status, int? elderId, [Range(1, 500)] int? limit, Actor actor, EldercareDb db,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind is not (PrincipalKind.Service or PrincipalKind.Staff)) return Problems.Forbidden.ToResult();
            var now = clock.GetUtcNow().UtcDateTime;
            // Calls waiting for their next try stay out of the queue until then.
            var query = db.Deliveries.AsNoTracking().Where(d => d.Channel == channel && d.Status == (status ?? DeliveryStatus.Queued) && (d.NotBefore == null || d.NotBefore <= now));
            if (elderId is not null) query = query.Where(d => d.ElderId == elderId);
            // Station staff see their own zone; the hotline, its agents and officers work for the whole district.
            if (actor is { Kind: PrincipalKind.Staff, Role: not (StaffRole.Officer or StaffRole.HotlineAgent) })
                query = from d in query
                        join e in db.Elders on d.ElderId equals e.Id
                        join c in db.Communities on e.CommunityId equals c.Id
                        where c.StationId == actor.StationId
                        select d;
            var page = await (from d in query
                              join r in db.Reminders on d.ReminderId equals r.Id
                              orderby d.Id
                              select new { Delivery = d, r.Kind, r.BookingId }).Take(limit ?? 100).ToListAsync(ct);
            var elderIds = page.Select(x => x.Delivery.ElderId).Distinct().ToList();
            // The dialler needs the number it calls; nobody else gets phone numbers from this list.
            var phones = actor.Kind == PrincipalKind.Service && channel == DeliveryChannel.PhoneCall
                ? await db.Elders.Where(e => elderIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Phone, ct)
                : [];
            var contactIds = page.Where(x => x.Delivery.RecipientKind == RecipientKind.EmergencyContact).Select(x => x.Delivery.RecipientId).ToList();
            var contactPhones = actor.Kind == PrincipalKind.Service && contactIds.Count > 0
                ? await db.EmergencyContacts.Where(c => contactIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Phone, ct)
                : [];
            var names = actor.Kind == PrincipalKind.Staff
                ? await db.Elders.Where(e => elderIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct)
                : [];
            return Results.Ok(page.Select(x => ToResponse(x.Delivery) with
            {
                Phone = x.Delivery.RecipientKind == RecipientKind.EmergencyContact ? contactPhones.GetValueOrDefault(x.Delivery.RecipientId) : phones.GetValueOrDefault(x.Delivery.ElderId),
                ElderName = names.GetValueOrDefault(x.Delivery.ElderId), Kind = x.Kind, BookingId = x.BookingId,
            }));
        }).Produces<List<DeliveryResponse>>().WithSummary("A channel's queue of deliveries, oldest first (the hotline's calls to make, a station's tasks), optionally for one elder");

        group.MapPost("/{id:long}/outcome", async (long id, DeliveryOutcomeRequest body, Actor actor, AccessPolicy access,
            EldercareDb db, DeliveryOutcomes outcomes, CancellationToken ct) =>
        {
            if (actor.Kind is not (PrincipalKind.Service or PrincipalKind.Staff)) return Problems.Forbidden.ToResult();
            var found = await (from d in db.Deliveries.AsNoTracking()
                               join r in db.Reminders on d.ReminderId equals r.Id
                               where d.Id == id
                               select new { Delivery = d, r.Kind }).SingleOrDefaultAsync(ct);
            if (found is null) return ReminderProblems.DeliveryNotFound.ToResult();
            if (await access.CheckReportsDeliveryAsync(actor, found.Delivery.Channel, found.Delivery.ElderId, ct) is { } denied) return denied.ToResult();
            var reported = await outcomes.ReportAsync(found.Delivery, found.Kind, body.Delivered!.Value, body.Note, ct);
            if (reported.Refusal is { } refused) return refused.ToResult();
            var outcome = reported.Value!;
            return Results.Ok(new DeliveryOutcomeResponse(ToResponse(outcome.Delivery), outcome.NextDelivery is { } next ? ToResponse(next) : null,
                outcome.FollowUp?.Id, outcome.FollowUp?.DueAt, outcome.RetryAt));
        }).Produces<DeliveryOutcomeResponse>().WithSummary("Report whether a delivery reached its recipient: a failure moves to the next channel; an unanswered call is tried again (a check-in call then escalated)");
    }

    private static DeliveryResponse ToResponse(Delivery d) =>
        new(d.Id, d.ReminderId, d.ElderId, d.RecipientKind, d.RecipientId, d.Channel, d.Text, d.Status, d.CreatedAt, d.FailReason);
}
