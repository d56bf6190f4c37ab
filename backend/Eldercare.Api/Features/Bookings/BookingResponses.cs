using Eldercare.Api.Domain;

namespace Eldercare.Api.Features.Bookings;

public sealed record PriceResponse(long ListFen, long SubsidyFen, long PayableFen, long PaidFen);

public sealed record BookingEventResponse(string? From, string To, DateTime At, string Actor, int? ActorId, string Channel, string? Note);

public sealed record BookingResponse(
    long Id, int ElderId, long SlotId, int ServiceId, int ServiceVersion, string ServiceName, string Line,
    DateOnly Date, TimeOnly Start, TimeOnly End, string? MealPeriod, string Mode, string Status, string Channel,
    string BookedBy, int? BookedById, PriceResponse Price, string? CancelReason, DateTime CreatedAt,
    IReadOnlyList<BookingEventResponse>? History, int? CaregiverId, int? RatingScore, string? RatingComment,
    DateTime? PayBy, bool PayAtWindow);

public static class BookingMapping
{
    public static BookingResponse ToResponse(this Booking b, bool withHistory = true) => new(
        b.Id, b.ElderId, b.SlotId, b.CatalogItemId, b.CatalogVersion, b.ServiceName, b.Line.ToString(),
        b.Date, b.Start, b.End, b.MealPeriod?.ToString(), b.Mode.ToString(), b.Status.ToString(), b.Channel.ToString(),
        b.BookedByKind.ToString(), b.BookedById, new PriceResponse(b.ListPriceFen, b.SubsidyFen, b.PayableFen, b.PaidFen), b.CancelReason, b.CreatedAt,
        withHistory
            ? b.History.OrderBy(h => h.Id).Select(h => new BookingEventResponse(h.FromStatus?.ToString(), h.ToStatus.ToString(), h.At,
                h.ActorKind.ToString(), h.ActorId, h.Channel.ToString(), h.Note)).ToList()
            : null,
        b.CaregiverId, b.RatingScore, b.RatingComment,
        b.Status == BookingStatus.Requested ? b.PayBy : null, b.PayAtWindow);
}
