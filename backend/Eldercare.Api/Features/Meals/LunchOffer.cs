using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Meals;

public sealed record MealPointOffer(int ResourceId, string Name, string? Address, int? DistanceMetres, bool OwnStation);

/// <summary>
/// The lunch the mini-program's home page offers in one tap: the next lunch this elder can still book, as they usually
/// have it. <c>Why</c> says where the choice came from: usual (their last lunch), housebound (delivered, from the file),
/// own-zone (their station's meal point) or nearest. <c>Payment</c>: WeChat, or Window when WeChat Pay is not set up.
/// </summary>
public sealed record LunchOfferResponse(
    int ServiceId, string ServiceName, string Detail, long SlotId, DateOnly Date, TimeOnly Start, TimeOnly End, DateTime CutoffAt,
    MealPointOffer MealPoint, string Mode, IReadOnlyList<string> Modes, string Why, CatalogPrice Price, string Payment);

public static class LunchOffers
{
    public static readonly Problem NoLunch = new("no-lunch-offer", 404, "最近一周没有还能预约的午餐，可以打电话给驿站问问");
    private const int DaysAhead = 7;

    public static void MapLunchOffer(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/meals/lunch-offer", async ([FromQuery] int? elderId, Actor actor, AccessPolicy access, EldercareDb db,
            SubsidyLedger subsidies, IOptions<WeChatPayOptions> pay, TimeProvider clock, CancellationToken ct) =>
        {
            var id = elderId ?? (actor.Kind == PrincipalKind.Elder ? actor.Id : 0);
            if (await access.CheckElderAsync(actor, id, write: false, ct) is { } denied) return denied.ToResult();
            var today = clock.Today();
            var now = clock.GetUtcNow().UtcDateTime;
            var elder = await db.Elders.AsNoTracking().SingleAsync(e => e.Id == id, ct);
            var zone = await db.Communities.Where(c => c.Id == elder.CommunityId).Select(c => new { c.StationId, c.StreetId }).SingleAsync(ct);
            var zoneStation = zone.StationId;
            // Meal points of the elder's own street: another street's canteen is not "the usual lunch".
            var streetStations = db.Stations.Where(st => st.StreetId == zone.StreetId).Select(st => st.Id);

            var lunches = (await db.CatalogItems.AsNoTracking().Where(i => i.IsActive && i.Line == ServiceLine.Meals).OrderBy(i => i.Id).ToListAsync(ct))
                .Where(i => i.IneligibilityReason(elder, today) is null).ToList();
            var lunchIds = lunches.Select(i => i.Id).ToList();
            var last = today.AddDays(DaysAhead - 1);
            var slots = await (from s in db.Slots.AsNoTracking()
                               join r in db.ServiceResources on s.ResourceId equals r.Id
                               join v in db.Venues on r.VenueId equals v.Id into venues
                               from v in venues.DefaultIfEmpty()
                               where lunchIds.Contains(s.CatalogItemId) && s.MealPeriod == MealPeriod.Lunch && s.Date >= today && s.Date <= last && streetStations.Contains(r.StationId)
                               orderby s.Date, s.Start
                               select new { Slot = s, Resource = r, Venue = v }).ToListAsync(ct);
            // A day the elder already has lunch is not offered again.
            var lunchDays = await db.Bookings.Where(b => b.ElderId == id && b.MealPeriod == MealPeriod.Lunch && b.Date >= today && Booking.Holding.Contains(b.Status))
                .Select(b => b.Date).ToListAsync(ct);
            var open = slots.Where(x => x.Slot.Remaining > 0 && BookingEngine.SlotUnavailable(x.Slot, now) is null && !lunchDays.Contains(x.Slot.Date)).ToList();

            var usual = await db.Bookings.AsNoTracking().Where(b => b.ElderId == id && b.MealPeriod == MealPeriod.Lunch && b.Status != BookingStatus.Rejected)
                .OrderByDescending(b => b.Date).ThenByDescending(b => b.Id).Select(b => new { b.CatalogItemId, b.ResourceId, b.Mode }).FirstOrDefaultAsync(ct);

            // The menu they usually have, while it has a place this week; else the first lunch that does.
            var item = lunches.Where(i => open.Any(x => x.Slot.CatalogItemId == i.Id)).OrderBy(i => i.Id == usual?.CatalogItemId ? 0 : 1).FirstOrDefault();
            if (item is null) return NoLunch.ToResult();
            var points = open.Where(x => x.Slot.CatalogItemId == item.Id).Select(x => (x.Resource, x.Venue)).DistinctBy(p => p.Resource.Id)
                .OrderBy(p => p.Resource.StationId == zoneStation ? 0 : 1).ThenBy(p => elder.Home.WholeMetresTo(p.Venue?.Location) ?? int.MaxValue).ToList();
            if (points.Count == 0) return NoLunch.ToResult();

            var (mode, why, point) = Choose(elder, item, usual is null ? null : (usual.ResourceId, usual.Mode), zoneStation, points.Select(p => p.Resource).ToList());
            var slot = open.First(x => x.Slot.CatalogItemId == item.Id && x.Resource.Id == point.Id);
            var venue = slot.Venue;
            var grants = (await subsidies.QuoteEachAsync(elder, [item], slot.Slot.Date, ct))[item.Id];
            var subsidy = grants.Sum(g => g.AmountFen);
            return Results.Ok(new LunchOfferResponse(item.Id, item.Name, item.Detail, slot.Slot.Id, slot.Slot.Date, slot.Slot.Start, slot.Slot.End, slot.Slot.CutoffAt,
                new MealPointOffer(point.Id, point.Name, venue?.Address, elder.Home.WholeMetresTo(venue?.Location), point.StationId == zoneStation),
                mode.ToString(), CatalogEndpoints.Modes(item.Modes), why, new CatalogPrice(item.ListPriceFen, subsidy, item.ListPriceFen - subsidy, grants),
                pay.Value.Enabled ? "WeChat" : "Window"));
        }).WithTags("Meals").RequireAuthorization().Produces<LunchOfferResponse>().WithSummary("The next lunch an elder can book, as they usually have it (meal point, how it comes, price after subsidy)");
    }

    /// <summary>
    /// Housebound, for the default: the file says the elder cannot easily go out (失能, 重度残疾) or their assessed
    /// ability level is 2 or worse, so a lunch comes to them rather than them to the canteen.
    /// </summary>
    public static bool IsHousebound(Elder elder) =>
        elder.AbilityLevel >= 2 || (elder.Groups & (ElderGroups.Disabled | ElderGroups.SeverelyDisabled)) != 0;

    /// <summary>
    /// The meal point and the way the lunch comes: as last time where that still can be; otherwise delivered for a
    /// housebound elder (only their own station delivers), else at their own zone's meal point, else the nearest.
    /// </summary>
    private static (ServiceModes Mode, string Why, ServiceResource Point) Choose(Elder elder, CatalogItem item, (int ResourceId, ServiceModes Mode)? usual,
        int zoneStation, IReadOnlyList<ServiceResource> points)
    {
        bool Delivers(ServiceResource r) => r.StationId == zoneStation;
        if (usual is { } u && item.Modes.HasFlag(u.Mode) && points.FirstOrDefault(r => r.Id == u.ResourceId) is { } same
            && (u.Mode is not ServiceModes.Delivery || Delivers(same)))
            return (u.Mode, "usual", same);
        var nearest = points[0]; // own zone's first, then by distance
        if (IsHousebound(elder) && item.Modes.HasFlag(ServiceModes.Delivery) && points.FirstOrDefault(Delivers) is { } home)
            return (ServiceModes.Delivery, "housebound", home);
        var mode = item.Modes.HasFlag(ServiceModes.AtCentre) ? ServiceModes.AtCentre : BookingEngine.DefaultMode(item.Modes);
        return (mode, nearest.StationId == zoneStation ? "own-zone" : "nearest", nearest);
    }
}
