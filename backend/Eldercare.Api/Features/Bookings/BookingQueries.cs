using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record SlotAndService(Slot Slot, CatalogItem Item, ServiceResource Resource);

/// <summary>The elder under their lock: station, an earlier use of the idempotency key, that day's bookings and subsidy budgets.</summary>
public sealed record ElderAndDay(Elder Elder, int StationId, string? EarlierHash, long? EarlierBooking, List<Booking> Holding, List<SubsidyBudget> Budgets);

/// <summary>
/// The reads every booking makes, compiled once so EF does not translate them on each request. A singleton per
/// host: a compiled query belongs to one model, and a host has one database provider.
/// </summary>
public sealed class BookingQueries
{
    public Func<EldercareDb, long, Task<SlotAndService?>> SlotWithService { get; } = EF.CompileAsyncQuery(
        (EldercareDb db, long slotId) => (from sl in db.Slots.AsNoTracking()
                                          join i in db.CatalogItems on sl.CatalogItemId equals i.Id
                                          join r in db.ServiceResources on sl.ResourceId equals r.Id
                                          where sl.Id == slotId
                                          select new SlotAndService(sl, i, r)).SingleOrDefault());

    /// <summary>The subsidy rules in force (few, and narrowed to the service and elder in memory).</summary>
    public Func<EldercareDb, IAsyncEnumerable<SubsidyRule>> ActiveSubsidyRules { get; } = EF.CompileAsyncQuery(
        (EldercareDb db) => db.SubsidyRules.AsNoTracking().Where(r => r.IsActive));

    /// <summary>
    /// The elder, their station, an earlier use of this idempotency key, their bookings that day, and their subsidy
    /// budgets for that day and month.
    /// </summary>
    public Func<EldercareDb, int, string, string, DateOnly, string, string, Task<ElderAndDay>> ElderState { get; } = EF.CompileAsyncQuery(
        (EldercareDb db, int elderId, string scope, string key, DateOnly date, string dayPeriod, string monthPeriod) =>
            (from e in db.Elders.AsNoTracking()
             join c in db.Communities on e.CommunityId equals c.Id
             where e.Id == elderId
             select new ElderAndDay(
                 e,
                 c.StationId,
                 db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key).Select(r => r.RequestHash).FirstOrDefault(),
                 db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key).Select(r => (long?)r.BookingId).FirstOrDefault(),
                 db.Bookings.Where(b => b.ElderId == e.Id && b.Date == date && Booking.Holding.Contains(b.Status)).ToList(),
                 db.SubsidyBudgets.Where(b => b.ElderId == e.Id && (b.Period == dayPeriod || b.Period == monthPeriod)).ToList())).Single());
}
