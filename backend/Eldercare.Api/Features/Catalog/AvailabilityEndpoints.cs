using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Catalog;

public sealed record SlotResponse(
    long SlotId, int ServiceId, DateOnly Date, TimeOnly Start, TimeOnly End, string? MealPeriod, int ResourceId, string ResourceName,
    int StationId, int Capacity, int Remaining, DateTime CutoffAt, bool Bookable, string? NotBookableReason, int Waiting, string? NotBookableType,
    int? DistanceMetres = null, bool? OwnStation = null);

public static class AvailabilityEndpoints
{
    public const int MaxDays = 31;

    public static void MapAvailabilityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/availability", async ([FromQuery] int? serviceId, [FromQuery] int? elderId, [FromQuery] DateOnly? from, [FromQuery] DateOnly? to,
            Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (serviceId is null) return Problems.ValidationFailed.ToResult("serviceId is required");
            var first = from ?? clock.Today();
            var last = to ?? first.AddDays(6);
            if (last < first || last.DayNumber - first.DayNumber >= MaxDays)
                return Problems.ValidationFailed.ToResult($"from..to must be a range of 1 to {MaxDays} days");
            var item = await db.CatalogItems.AsNoTracking().SingleOrDefaultAsync(i => i.Id == serviceId, ct);
            if (item is null) return BookingProblems.ServiceNotFound.ToResult();

            int? zoneStation = null;
            (GeoPoint Home, int Station)? elder = null;
            if (elderId is { } id)
            {
                if (await access.CheckElderAsync(actor, id, write: false, ct) is { } denied) return denied.ToResult();
                var found = await db.Elders.Where(e => e.Id == id).Join(db.Communities, e => e.CommunityId, c => c.Id, (e, c) => new { e.Home, c.StationId }).SingleAsync(ct);
                elder = (found.Home, found.StationId);
                // Visits at home come only from the elder's own station; centre services from anywhere in the street.
                if (item.Modes.HasFlag(ServiceModes.AtHome) && !item.Modes.HasFlag(ServiceModes.AtCentre)) zoneStation = found.StationId;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var rows = await (from s in db.Slots.AsNoTracking()
                              join r in db.ServiceResources on s.ResourceId equals r.Id
                              join v in db.Venues on r.VenueId equals v.Id into venues
                              from v in venues.DefaultIfEmpty()
                              where s.CatalogItemId == item.Id && s.Date >= first && s.Date <= last && (zoneStation == null || r.StationId == zoneStation)
                              orderby s.Date, s.Start, r.Id
                              select new { Slot = s, r.Name, r.StationId, Lat = (double?)v.Location.Latitude, Lon = (double?)v.Location.Longitude }).ToListAsync(ct);
            // Waiters are counted in one grouped query over the listed slots, not once per slot.
            var slotIds = rows.Select(x => x.Slot.Id).ToList();
            var waiting = await db.WaitlistEntries.Where(w => w.Status == WaitlistStatus.Waiting && slotIds.Contains(w.SlotId))
                .GroupBy(w => w.SlotId).Select(g => new { SlotId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.SlotId, g => g.Count, ct);
            return Results.Ok(rows.Select(x =>
            {
                var reason = BookingEngine.SlotUnavailable(x.Slot, now) ?? (x.Slot.Remaining == 0 ? BookingProblems.SlotFull : null);
                return new SlotResponse(x.Slot.Id, item.Id, x.Slot.Date, x.Slot.Start, x.Slot.End, x.Slot.MealPeriod?.ToString(), x.Slot.ResourceId, x.Name,
                    x.StationId, x.Slot.Capacity, x.Slot.Remaining, x.Slot.CutoffAt, reason is null, reason?.Title, waiting.GetValueOrDefault(x.Slot.Id), reason?.Type,
                    // With an elder: how far the place is from their home, and whether it is their own station's (it delivers).
                    elder?.Home.WholeMetresTo(GeoPoint.From(x.Lat, x.Lon)), elder is { } mine ? x.StationId == mine.Station : null);
            }));
        }).WithTags("Catalog").RequireAuthorization().Produces<List<SlotResponse>>().WithSummary("Bookable slots or portions of a service, with places left");
    }
}
