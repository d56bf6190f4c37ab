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
    DateTime? PayBy, bool PayAtWindow, string? Place = null);

public static class BookingMapping
{
    /// <summary>Where each of these bookings happens or comes from: its meal point, bathing room or caregiver pool by name.</summary>
    public static Task<Dictionary<int, string>> PlacesAsync(this EldercareDb db, IEnumerable<Booking> bookings, CancellationToken ct)
    {
        var ids = bookings.Select(b => b.ResourceId).Distinct().ToList();
        return db.ServiceResources.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
    }


    public static BookingResponse ToResponse(this Booking b, bool withHistory = true, IReadOnlyDictionary<int, string>? places = null) => new(
        b.Id, b.ElderId, b.SlotId, b.CatalogItemId, b.CatalogVersion, b.ServiceName, b.Line.ToString(),
        b.Date, b.Start, b.End, b.MealPeriod?.ToString(), b.Mode.ToString(), b.Status.ToString(), b.Channel.ToString(),
        b.BookedByKind.ToString(), b.BookedById, new PriceResponse(b.ListPriceFen, b.SubsidyFen, b.PayableFen, b.PaidFen), b.CancelReason, b.CreatedAt,
        withHistory
            ? b.History.OrderBy(h => h.Id).Select(h => new BookingEventResponse(h.FromStatus?.ToString(), h.ToStatus.ToString(), h.At,
                h.ActorKind.ToString(), h.ActorId, h.Channel.ToString(), h.Note)).ToList()
            : null,
        b.CaregiverId, b.RatingScore, b.RatingComment,
        b.Status == BookingStatus.Requested ? b.PayBy : null, b.PayAtWindow, places?.GetValueOrDefault(b.ResourceId));
}
