using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Features.Elders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Stations;

public sealed record CaregiverRequest(
    [property: Required, StringLength(50, MinimumLength = 1)] string Name,
    [property: Required, RegularExpression(ElderRegistration.PhonePattern)] string Phone,
    bool CanBathe,
    bool IsActive = true);

public sealed record CaregiverResponse(int Id, int StationId, string Name, string Phone, bool CanBathe, bool IsActive, int UpcomingVisits);

public sealed record AssignVisitRequest([property: Range(1, int.MaxValue)] int CaregiverId);

public sealed record ResourceResponse(int Id, string Name, string Kind);

public sealed record SlotTemplateRequest(
    [property: Range(1, int.MaxValue)] int CatalogItemId,
    [property: Range(1, int.MaxValue)] int ResourceId,
    [property: Range(1, 7)] int Weekday,
    TimeOnly Start,
    TimeOnly End,
    MealPeriod? MealPeriod,
    [property: Range(1, 500)] int Capacity,
    [property: Range(0, 14)] int CutoffDaysBefore,
    TimeOnly CutoffTime);

/// <summary>What a manager may change on a template in place: how many places, and whether it still runs. Other times make a new template.</summary>
public sealed record SlotTemplateChange([property: Range(1, 500)] int Capacity, bool IsActive);

public sealed record SlotTemplateResponse(
    int Id, int CatalogItemId, string ServiceName, int ResourceId, string ResourceName, int Weekday, TimeOnly Start, TimeOnly End,
    string? MealPeriod, int Capacity, int CutoffDaysBefore, TimeOnly CutoffTime, bool IsActive);

public sealed record ClosureSummary(int Id, int ResourceId, string ResourceName, DateOnly From, DateOnly To, string Reason, bool MoveBookings, DateTime CreatedAt,
    int BookingsAffected, int BookingsMoved, int BookingsCancelled, bool Settled);

/// <summary>
/// What a station manager runs: the caregiver roster, home visits given to caregivers, the weekly capacity
/// templates and the list of closures. Reading is open to the station's staff and officers; changing is for the
/// station's own manager (and officers), checked in <see cref="AccessPolicy"/>.
/// </summary>
public static class StationManagement
{
    public static readonly Problem CaregiverHasVisits = new("caregiver-has-visits", 409, "这位护理员还有已派的上门服务，请先改派给别人");
    public static readonly Problem TemplateNotFound = new("slot-template-not-found", 404, "没有找到这个排班模板");
    public static readonly Problem BadTemplate = new("bad-slot-template", 422, "排班模板填写有误");

    public static void MapStationManagement(this IEndpointRouteBuilder app)
    {
        var stations = app.MapGroup("/api/stations/{stationId:int}").WithTags("Stations").RequireAuthorization();

        stations.MapGet("/caregivers", async (int stationId, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } denied) return denied.ToResult();
            var today = clock.Today();
            var caregivers = await db.Caregivers.AsNoTracking().Where(c => c.StationId == stationId)
                .OrderByDescending(c => c.IsActive).ThenBy(c => c.Name)
                .Select(c => new CaregiverResponse(c.Id, c.StationId, c.Name, c.Phone, c.CanBathe, c.IsActive,
                    db.Bookings.Count(b => b.CaregiverId == c.Id && b.Date >= today && b.Status == BookingStatus.Assigned)))
                .ToListAsync(ct);
            return Results.Ok(caregivers);
        }).Produces<List<CaregiverResponse>>().WithSummary("The station's caregivers, with their upcoming assigned visits");

        stations.MapPost("/caregivers", async (int stationId, CaregiverRequest body, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckRunsStation(actor, stationId) is { } denied) return denied.ToResult();
            if (!await db.Stations.AnyAsync(s => s.Id == stationId, ct)) return StationDay.StationNotFound.ToResult();
            var caregiver = new Caregiver { StationId = stationId, Name = body.Name.Trim(), Phone = body.Phone, CanBathe = body.CanBathe, IsActive = true };
            db.Caregivers.Add(caregiver);
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/caregivers/{caregiver.Id}", ToResponse(caregiver, 0));
        }).Produces<CaregiverResponse>(StatusCodes.Status201Created).WithSummary("Add a caregiver to the station's roster (station manager)");

        stations.MapGet("/resources", async (int stationId, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } denied) return denied.ToResult();
            return Results.Ok(await db.ServiceResources.AsNoTracking().Where(r => r.StationId == stationId).OrderBy(r => r.Kind).ThenBy(r => r.Name)
                .Select(r => new ResourceResponse(r.Id, r.Name, r.Kind.ToString())).ToListAsync(ct));
        }).Produces<List<ResourceResponse>>().WithSummary("The station's meal points, bathing rooms, teams, caregiver pool and doctors");

        stations.MapGet("/slot-templates", async (int stationId, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } denied) return denied.ToResult();
            var templates = await (
                    from t in db.SlotTemplates.AsNoTracking()
                    join r in db.ServiceResources on t.ResourceId equals r.Id
                    join i in db.CatalogItems on t.CatalogItemId equals i.Id
                    where r.StationId == stationId
                    select new { t, ResourceName = r.Name, ServiceName = i.Name })
                .ToListAsync(ct);
            return Results.Ok(templates
                .OrderBy(x => MealPlan.IsoWeekday(x.t.Weekday)).ThenBy(x => x.t.Start).ThenBy(x => x.ResourceName)
                .Select(x => ToResponse(x.t, x.ServiceName, x.ResourceName)));
        }).Produces<List<SlotTemplateResponse>>().WithSummary("The station's weekly capacity templates");

        stations.MapGet("/closures", async (int stationId, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } denied) return denied.ToResult();
            var since = clock.Today().AddDays(-30);
            return Results.Ok(await (
                    from c in db.Closures.AsNoTracking()
                    join r in db.ServiceResources on c.ResourceId equals r.Id
                    where r.StationId == stationId && c.To >= since
                    orderby c.From descending
                    select new ClosureSummary(c.Id, c.ResourceId, r.Name, c.From, c.To, c.Reason, c.MoveBookings, c.CreatedAt,
                        c.BookingsAffected, c.BookingsMoved, c.BookingsCancelled, c.SettledAt != null))
                .ToListAsync(ct));
        }).Produces<List<ClosureResponse>>().WithSummary("The station's closures of the last 30 days and to come");

        app.MapPut("/api/caregivers/{id:int}", async (int id, CaregiverRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var stationId = await db.Caregivers.Where(c => c.Id == id).Select(c => (int?)c.StationId).SingleOrDefaultAsync(ct);
            if (stationId is null) return BookingProblems.CaregiverNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, stationId.Value) is { } denied) return denied.ToResult();
            // Under the caregiver's lock, which an assignment takes too: no visit can be given to them while they leave the roster.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.LockCaregiverAsync(id, ct);
            var caregiver = await db.Caregivers.SingleAsync(c => c.Id == id, ct);
            var today = clock.Today();
            var upcoming = await db.Bookings.CountAsync(b => b.CaregiverId == id && b.Date >= today && b.Status == BookingStatus.Assigned, ct);
            if (!body.IsActive && upcoming > 0) return CaregiverHasVisits.ToResult($"{caregiver.Name}还有{upcoming}个上门服务");
            if (caregiver.CanBathe && !body.CanBathe && await db.Bookings.AnyAsync(b => b.CaregiverId == id && b.Date >= today
                    && b.Status == BookingStatus.Assigned && b.Line == ServiceLine.Bathing, ct))
                return CaregiverHasVisits.ToResult($"{caregiver.Name}还有已派的助浴服务");
            caregiver.Name = body.Name.Trim();
            caregiver.Phone = body.Phone;
            caregiver.CanBathe = body.CanBathe;
            caregiver.IsActive = body.IsActive;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(ToResponse(caregiver, upcoming));
        }).WithTags("Stations").RequireAuthorization().Produces<CaregiverResponse>().WithSummary("Change a caregiver's details, or take them off the roster (station manager)");

        app.MapPost("/api/bookings/{id:long}/assign", async (long id, AssignVisitRequest body, Actor actor, EldercareDb db,
            BookingEngine engine, CancellationToken ct) =>
        {
            var stationId = await (from b in db.Bookings join r in db.ServiceResources on b.ResourceId equals r.Id where b.Id == id select (int?)r.StationId)
                .SingleOrDefaultAsync(ct);
            if (stationId is null) return BookingProblems.BookingNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, stationId.Value) is { } denied) return denied.ToResult();
            var result = await engine.AssignAsync(actor, id, body.CaregiverId, stationId.Value, ct);
            return result.Refusal is { } refusal ? refusal.ToResult() : Results.Ok(result.Booking!.ToResponse());
        }).WithTags("Bookings").RequireAuthorization().Produces<BookingResponse>().WithSummary("Send a caregiver of the station on a home visit (station manager)");

        app.MapPost("/api/slot-templates", async (SlotTemplateRequest body, Actor actor, EldercareDb db, SlotGenerator slots, CancellationToken ct) =>
        {
            var resource = await db.ServiceResources.AsNoTracking().SingleOrDefaultAsync(r => r.Id == body.ResourceId, ct);
            if (resource is null) return ClosureEndpoints.ResourceNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, resource.StationId) is { } denied) return denied.ToResult();
            var item = await db.CatalogItems.AsNoTracking().SingleOrDefaultAsync(i => i.Id == body.CatalogItemId && i.IsActive, ct);
            if (item is null) return BookingProblems.ServiceNotFound.ToResult();
            if (TemplateMistake(body, item, resource) is { } mistake) return BadTemplate.ToResult(mistake);

            var template = new SlotTemplate
            {
                CatalogItemId = item.Id, ResourceId = resource.Id, Weekday = (DayOfWeek)(body.Weekday % 7), Start = body.Start, End = body.End,
                MealPeriod = item.Line == ServiceLine.Meals ? body.MealPeriod : null, Capacity = body.Capacity,
                CutoffDaysBefore = body.CutoffDaysBefore, CutoffTime = body.CutoffTime, IsActive = true,
            };
            db.SlotTemplates.Add(template);
            await db.SaveChangesAsync(ct);
            await slots.GenerateAheadAsync(ct); // bookable at once, not from the next nightly run
            return Results.Created($"/api/slot-templates/{template.Id}", ToResponse(template, item.Name, resource.Name));
        }).WithTags("Stations").RequireAuthorization().Produces<SlotTemplateResponse>(StatusCodes.Status201Created).WithSummary("Add a weekly capacity template; its slots for the next two weeks open at once (station manager)");

        app.MapPut("/api/slot-templates/{id:int}", async (int id, SlotTemplateChange body, Actor actor, EldercareDb db, SlotGenerator slots,
            TimeProvider clock, CancellationToken ct) =>
        {
            var found = await (from t in db.SlotTemplates
                               join r in db.ServiceResources on t.ResourceId equals r.Id
                               join i in db.CatalogItems on t.CatalogItemId equals i.Id
                               where t.Id == id
                               select new { t, r.StationId, ResourceName = r.Name, ServiceName = i.Name }).SingleOrDefaultAsync(ct);
            if (found is null) return TemplateNotFound.ToResult();
            if (AccessPolicy.CheckRunsStation(actor, found.StationId) is { } denied) return denied.ToResult();
            var template = found.t;
            template.Capacity = body.Capacity;
            template.IsActive = body.IsActive;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            // Slots already opened follow the template from today on, never below what is booked: an active template
            // offers its capacity; a stopped one keeps the bookings made and takes no new ones.
            var capacity = body.IsActive ? body.Capacity : 0;
            await db.Slots.Where(s => s.TemplateId == id && s.Date >= clock.Today())
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Capacity, x => x.Booked > capacity ? x.Booked : capacity), ct);
            await tx.CommitAsync(ct);
            if (body.IsActive) await slots.GenerateAheadAsync(ct); // days skipped while it was stopped
            return Results.Ok(ToResponse(template, found.ServiceName, found.ResourceName));
        }).WithTags("Stations").RequireAuthorization().Produces<SlotTemplateResponse>().WithSummary("Change a template's places or stop it; opened slots follow, never below what is booked (station manager)");
    }

    private static string? TemplateMistake(SlotTemplateRequest body, CatalogItem item, ServiceResource resource)
    {
        if (body.End <= body.Start) return "结束时间要晚于开始时间";
        var isMeal = item.Line == ServiceLine.Meals;
        if (isMeal != (resource.Kind == ResourceKind.MealPoint)) return "餐食只能排在助餐点，其他服务不能排在助餐点";
        if (isMeal && body.MealPeriod is null) return "餐食要选午餐或晚餐";
        if (body.CutoffDaysBefore == 0 && body.CutoffTime > body.Start) return "当天截止的时间不能晚于开始时间";
        return null;
    }

    private static CaregiverResponse ToResponse(Caregiver c, int upcoming) => new(c.Id, c.StationId, c.Name, c.Phone, c.CanBathe, c.IsActive, upcoming);

    private static SlotTemplateResponse ToResponse(SlotTemplate t, string serviceName, string resourceName) => new(
        t.Id, t.CatalogItemId, serviceName, t.ResourceId, resourceName, MealPlan.IsoWeekday(t.Weekday), t.Start, t.End, t.MealPeriod?.ToString(),
        t.Capacity, t.CutoffDaysBefore, t.CutoffTime, t.IsActive);
}
