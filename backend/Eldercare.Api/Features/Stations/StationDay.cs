using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Stations;

public sealed record StationSummary(int Id, string Name, string Address);

public sealed record StationDayReadResponse(int StaffAccountId, string StaffName, DateOnly Day, DateTime ReadAt);

public sealed record DayBooking(
    long Id, TimeOnly Start, TimeOnly End, string Line, string ServiceName, string Mode, string? MealPeriod, string Status,
    int ResourceId, string ResourceName, int ElderId, string ElderName, string Community, int? CaregiverId, string? CaregiverName);

public sealed record HourCount(int Hour, int Meals, int Bathing, int Cleaning, int Medical);

public sealed record MealCount(string Period, string Menu, string MealPoint, int AtCentre, int PickUp, int Delivery, int Served);

public sealed record DeliveryStop(long BookingId, string ElderName, string Address, string Phone, string Period, string Menu, string Status);

/// <summary>Deliveries go out community by community: one route per community of the station's zone.</summary>
public sealed record DeliveryRoute(string Community, IReadOnlyList<DeliveryStop> Stops);

public sealed record CaregiverDay(int? CaregiverId, string Name, IReadOnlyList<DayBooking> Visits);

public sealed record StationDayResponse(
    int StationId, string StationName, DateOnly Date, int Booked, int Arrived, int NoShows, int Cancelled,
    IReadOnlyList<HourCount> ByHour, IReadOnlyList<MealCount> Meals, IReadOnlyList<DeliveryRoute> Deliveries,
    IReadOnlyList<CaregiverDay> HomeVisits, IReadOnlyList<DayBooking> Bookings, IReadOnlyList<Visits.PatrolResponse>? Patrols = null,
    Visits.VisitFiguresResponse? VisitFigures = null);

/// <summary>
/// "Today at this station": everything booked on the station's resources for one day, counted the ways the
/// staff work it: by hour and service line for the front desk, portions per menu for the kitchen, stops per
/// community for the delivery rounds, and visits per caregiver (unassigned ones first) for the manager.
/// </summary>
public static class StationDay
{
    public static readonly Problem StationNotFound = new("station-not-found", 404, "没有找到这个驿站");

    private static readonly BookingStatus[] Arrived = [BookingStatus.InService, BookingStatus.Completed, BookingStatus.Rated];

    public static async Task<StationDayResponse?> ForAsync(EldercareDb db, int stationId, DateOnly date, CancellationToken ct)
    {
        var station = await db.Stations.AsNoTracking().Where(s => s.Id == stationId).Select(s => new { s.Id, s.Name }).SingleOrDefaultAsync(ct);
        if (station is null) return null;

        var rows = await (
                from b in db.Bookings.AsNoTracking()
                join r in db.ServiceResources on b.ResourceId equals r.Id
                join e in db.Elders on b.ElderId equals e.Id
                join c in db.Communities on e.CommunityId equals c.Id
                join g in db.Caregivers on b.CaregiverId equals (int?)g.Id into assigned
                from g in assigned.DefaultIfEmpty()
                where r.StationId == stationId && b.Date == date
                orderby b.Start, e.Name
                select new { Booking = b, ResourceName = r.Name, ElderName = e.Name, Community = c.Name, e.Address, e.Phone, CaregiverName = g == null ? null : g.Name })
            .ToListAsync(ct);
        var live = rows.Where(x => x.Booking.Status != BookingStatus.Cancelled).ToList();
        var bookings = live.Select(x => new DayBooking(
            x.Booking.Id, x.Booking.Start, x.Booking.End, x.Booking.Line.ToString(), x.Booking.ServiceName, x.Booking.Mode.ToString(),
            x.Booking.MealPeriod?.ToString(), x.Booking.Status.ToString(), x.Booking.ResourceId, x.ResourceName, x.Booking.ElderId, x.ElderName,
            x.Community, x.Booking.CaregiverId, x.CaregiverName)).ToList();
        // Rejected bookings hold no place: they are listed, but no one cooks or travels for them.
        var served = live.Where(x => x.Booking.Status != BookingStatus.Rejected).ToList();

        var byHour = served.GroupBy(x => x.Booking.Start.Hour).OrderBy(h => h.Key).Select(h => new HourCount(h.Key,
            h.Count(x => x.Booking.Line == ServiceLine.Meals), h.Count(x => x.Booking.Line == ServiceLine.Bathing),
            h.Count(x => x.Booking.Line == ServiceLine.Cleaning), h.Count(x => x.Booking.Line == ServiceLine.Medical))).ToList();

        var meals = served.Where(x => x.Booking.Line == ServiceLine.Meals && x.Booking.Status != BookingStatus.NoShow)
            .GroupBy(x => (Period: x.Booking.MealPeriod, Menu: x.Booking.ServiceName, x.ResourceName))
            .OrderBy(g => g.Key.Period).ThenBy(g => g.Key.Menu)
            .Select(g => new MealCount(g.Key.Period?.ToString() ?? "", g.Key.Menu, g.Key.ResourceName,
                g.Count(x => x.Booking.Mode == ServiceModes.AtCentre), g.Count(x => x.Booking.Mode == ServiceModes.PickUp),
                g.Count(x => x.Booking.Mode == ServiceModes.Delivery), g.Count(x => Arrived.Contains(x.Booking.Status)))).ToList();

        var deliveries = served.Where(x => x.Booking.Mode == ServiceModes.Delivery)
            .GroupBy(x => x.Community).OrderBy(g => g.Key)
            .Select(g => new DeliveryRoute(g.Key, g.OrderBy(x => x.Booking.MealPeriod).ThenBy(x => x.Address)
                .Select(x => new DeliveryStop(x.Booking.Id, x.ElderName, x.Address, x.Phone, x.Booking.MealPeriod?.ToString() ?? "",
                    x.Booking.ServiceName, x.Booking.Status.ToString())).ToList())).ToList();

        var visits = bookings.Where(b => b.Mode == nameof(ServiceModes.AtHome) && b.Status != nameof(BookingStatus.Rejected)).ToList();
        var caregivers = await db.Caregivers.AsNoTracking().Where(c => c.StationId == stationId && c.IsActive).OrderBy(c => c.Name).ToListAsync(ct);
        var homeVisits = new List<CaregiverDay>();
        var unassigned = visits.Where(v => v.CaregiverId is null).ToList();
        if (unassigned.Count > 0) homeVisits.Add(new CaregiverDay(null, "未派单", unassigned));
        homeVisits.AddRange(caregivers.Select(c => new CaregiverDay(c.Id, c.Name, visits.Where(v => v.CaregiverId == c.Id).ToList())));
        // A caregiver who has since left still shows with the visits already given to them.
        homeVisits.AddRange(visits.Where(v => v.CaregiverId is { } id && caregivers.All(c => c.Id != id)).GroupBy(v => v.CaregiverId)
            .Select(g => new CaregiverDay(g.Key, g.First().CaregiverName ?? "", g.ToList())));

        return new StationDayResponse(station.Id, station.Name, date,
            Booked: served.Count, Arrived: served.Count(x => Arrived.Contains(x.Booking.Status)),
            NoShows: served.Count(x => x.Booking.Status == BookingStatus.NoShow),
            Cancelled: rows.Count - live.Count, byHour, meals, deliveries, homeVisits, bookings);
    }

    public static void MapStationDay(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/stations").WithTags("Stations").RequireAuthorization();

        group.MapGet("/", async (Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff) return Problems.Forbidden.ToResult();
            var wholeDistrict = AccessPolicy.SeesWholeDistrict(actor);
            var stations = await db.Stations.AsNoTracking()
                .Where(s => wholeDistrict || s.Id == actor.StationId)
                .OrderBy(s => s.Code).Select(s => new StationSummary(s.Id, s.Name, s.Address)).ToListAsync(ct);
            return Results.Ok(stations);
        }).Produces<List<StationSummary>>().WithSummary("The stations this member of staff works for (all of them for officers and hotline agents)");

        group.MapGet("/{stationId:int}/today", async (int stationId, DateOnly? date, Actor actor, EldercareDb db, Visits.PatrolSchedule patrols, Visits.VisitViews visits,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } denied) return denied.ToResult();
            var day = await ForAsync(db, stationId, date ?? clock.Today(), ct);
            if (day is null) return StationNotFound.ToResult();
            // Whatever day is shown: patrols due this week and overdue, and the proof-of-service figures of the 30 days to it.
            day = day with { Patrols = await patrols.OpenAsync(stationId, null, ct), VisitFigures = await visits.FiguresAsync(stationId, day.Date.AddDays(-29), day.Date, ct) };
            // The day lists elders with their phones and addresses: one audited read per view.
            db.StationDayReads.Add(new StationDayRead { StationId = stationId, Day = day.Date, StaffAccountId = actor.Id, ReadAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
            return Results.Ok(day);
        }).Produces<StationDayResponse>().WithSummary("One day at a station (today in Beijing by default): by hour and line, meals per menu, delivery routes, visits per caregiver; each view is written to the audit log");

        group.MapGet("/{stationId:int}/day-reads", async (int stationId, EldercareDb db, CancellationToken ct) =>
            Results.Ok(await (from r in db.StationDayReads.AsNoTracking()
                              join s in db.StaffAccounts on r.StaffAccountId equals s.Id
                              where r.StationId == stationId
                              orderby r.ReadAt descending, r.Id descending
                              select new StationDayReadResponse(s.Id, s.DisplayName, r.Day, r.ReadAt)).Take(200).ToListAsync(ct)))
            .RequireAuthorization(AccessPolicy.OfficersOnly).Produces<List<StationDayReadResponse>>().WithSummary("Who opened a station's day (with its elders' phones and addresses), newest first (officers only)");
    }
}
