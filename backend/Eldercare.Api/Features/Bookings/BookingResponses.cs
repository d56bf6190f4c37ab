using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record PriceResponse(long ListFen, long SubsidyFen, long PayableFen, long PaidFen);

public sealed record BookingEventResponse(string? From, string To, DateTime At, string Actor, int? ActorId, string Channel, string? Note);

public sealed record BookingResponse(
    long Id, int ElderId, long SlotId, int ServiceId, int ServiceVersion, string ServiceName, string Line,
    DateOnly Date, TimeOnly Start, TimeOnly End, string? MealPeriod, string Mode, string Status, string Channel,
    string BookedBy, int? BookedById, PriceResponse Price, string? CancelReason, DateTime CreatedAt,
    IReadOnlyList<BookingEventResponse>? History, int? CaregiverId, int? RatingScore, string? RatingComment,
    DateTime? PayBy, bool PayAtWindow, string? Place = null, int? PlaceDistanceMetres = null);

public sealed record BookingPlace(string Name, int? DistanceMetres);

public static class BookingMapping
{
    /// <summary>
    /// Where each of these bookings happens or comes from (its meal point, bathing room or caregiver pool by name), and
    /// how far that place is from the elder's home where both are known; by booking id.
    /// </summary>
    public static async Task<Dictionary<long, BookingPlace>> PlacesAsync(this EldercareDb db, IReadOnlyCollection<Booking> bookings, CancellationToken ct)
    {
        var resourceIds = bookings.Select(b => b.ResourceId).Distinct().ToList();
        var elderIds = bookings.Select(b => b.ElderId).Distinct().ToList();
        var places = await (from r in db.ServiceResources
                            join v in db.Venues on r.VenueId equals v.Id into venues
                            from v in venues.DefaultIfEmpty()
                            where resourceIds.Contains(r.Id)
                            select new { r.Id, r.Name, Lat = (double?)v.Location.Latitude, Lon = (double?)v.Location.Longitude }).ToDictionaryAsync(x => x.Id, ct);
        var homes = await db.Elders.Where(e => elderIds.Contains(e.Id))
            .Select(e => new { e.Id, e.Home.Latitude, e.Home.Longitude }).ToDictionaryAsync(e => e.Id, e => new GeoPoint(e.Latitude, e.Longitude), ct);
        return bookings.Where(b => places.ContainsKey(b.ResourceId)).ToDictionary(b => b.Id, b =>
        {
            var place = places[b.ResourceId];
            var metres = homes.TryGetValue(b.ElderId, out var home) ? home.WholeMetresTo(GeoPoint.From(place.Lat, place.Lon)) : null;
            return new BookingPlace(place.Name, metres);
        });
    }



    public static BookingResponse ToResponse(this Booking b, bool withHistory = true, IReadOnlyDictionary<long, BookingPlace>? places = null) => new(
        b.Id, b.ElderId, b.SlotId, b.CatalogItemId, b.CatalogVersion, b.ServiceName, b.Line.ToString(),
        b.Date, b.Start, b.End, b.MealPeriod?.ToString(), b.Mode.ToString(), b.Status.ToString(), b.Channel.ToString(),
        b.BookedByKind.ToString(), b.BookedById, new PriceResponse(b.ListPriceFen, b.SubsidyFen, b.PayableFen, b.PaidFen), b.CancelReason, b.CreatedAt,
        withHistory
            ? b.History.OrderBy(h => h.Id).Select(h => new BookingEventResponse(h.FromStatus?.ToString(), h.ToStatus.ToString(), h.At,
                h.ActorKind.ToString(), h.ActorId, h.Channel.ToString(), h.Note)).ToList()
            : null,
        b.CaregiverId, b.RatingScore, b.RatingComment,
        b.Status == BookingStatus.Requested ? b.PayBy : null, b.PayAtWindow, places?.GetValueOrDefault(b.Id)?.Name, places?.GetValueOrDefault(b.Id)?.DistanceMetres);
}
