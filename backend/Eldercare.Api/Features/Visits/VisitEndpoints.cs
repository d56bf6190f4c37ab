using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Elders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Eldercare.Api.Features.Visits;

public sealed record ClockInRequest(
    [property: Range(1, long.MaxValue)] long? BookingId,
    [property: Range(1, long.MaxValue)] long? PatrolId,
    [property: Range(1, int.MaxValue)] int? ElderId,
    ServiceLine? Line,
    [property: Required] FixBody Fix);

public sealed record ClockOutRequest(
    [property: Required] FixBody Fix,
    [property: MaxLength(20)] List<string>? Checklist,
    [property: StringLength(500)] string? Note,
    [property: StringLength(500)] string? NewNeed,
    PatrolCheckBody? Patrol);

/// <summary>A patrol's check: mood good, fair or poor; whether the home looked safe.</summary>
public sealed record PatrolCheckBody([property: Required, StringLength(8)] string Mood, [property: Required] bool? HomeSafe);

/// <summary>A fix as the phone sends it: GCJ-02 degrees from wx.getLocation, its accuracy in metres, the uploaded photo, the capture and send times by the phone's clock.</summary>
public sealed record FixBody(
    [property: Range(-90.0, 90.0)] double? Latitude,
    [property: Range(-180.0, 180.0)] double? Longitude,
    [property: Range(0.0, 100_000.0)] double? AccuracyMeters,
    [property: Range(1, long.MaxValue)] long? PhotoId,
    DateTime CapturedAt,
    DateTime SentAt)
{
    public FixRequest ToFix() => new(Latitude, Longitude, AccuracyMeters, PhotoId, CapturedAt, SentAt);
}

public sealed record ResolveVisitRequest(
    [property: Required, StringLength(32)] string Reason,
    [property: Required, StringLength(32)] string Resolution,
    [property: StringLength(500)] string? Note);

public sealed record ReasonResponse(string Code, string Words);

public sealed record VisitConfirmationRequest([property: Required] bool? Done, [property: Range(1, 5)] int? Rating);

public sealed record ConfirmationResponse(string Channel, bool Done, int? Rating, DateTime At);

/// <summary>A booking's home visit as the elder and family see it: who came, when they arrived and left, and whether the elder has said it was done.</summary>
public sealed record BookingVisitResponse(long VisitId, string CaregiverName, DateTime ArrivedAt, DateTime? LeftAt, bool? Done, bool CanConfirm);

public sealed record FixResponse(double? Latitude, double? Longitude, double? AccuracyMeters, long? PhotoId, DateTime CapturedAt, DateTime SentAt,
    DateTime ArrivedAt, DateTime HappenedAt, int? MetresFromHome);

public sealed record VisitResponse(long Id, string Kind, long? BookingId, int ElderId, string ElderName, int CaregiverId, string CaregiverName, int StationId,
    ServiceLine? Line, string ServiceName, DateOnly Date, TimeOnly? BookedStart, TimeOnly? BookedEnd, FixResponse ClockIn, FixResponse? ClockOut,
    IReadOnlyList<ReasonResponse> Checklist, string? Note, string? NewNeed, string? PatrolMood, bool? PatrolHomeSafe, string Status, IReadOnlyList<ReasonResponse> Reasons,
    string? ResolutionReason, string? Resolution, string? ResolutionNote, DateTime? ResolvedAt, IReadOnlyList<ConfirmationResponse> Confirmations,
    bool Intact, bool Locked);

public sealed record ChecklistItemResponse(string Code, string Words);

/// <summary>One visit on a caregiver's day: whom, where (GCJ-02 for wx.openLocation), what to do, and how far it has got.</summary>
public sealed record TodayVisitResponse(long BookingId, TimeOnly Start, TimeOnly End, ServiceLine Line, string ServiceName, int ElderId, string ElderName,
    string MaskedPhone, string PhoneToCall, string Address, double? Latitude, double? Longitude, string? StationPhone,
    IReadOnlyList<ChecklistItemResponse> Checklist, long? VisitId, string? VisitStatus);

public sealed record CaregiverFiguresResponse(int CaregiverId, string Name, int Visits, int AutoVerified, double AutoVerifiedRate, double ExceptionsPer100);

/// <summary>A station's proof-of-service figures over a period: of its finished visits, the share verified without review, and the exceptions per 100 visits.</summary>
public sealed record VisitFiguresResponse(int StationId, DateOnly From, DateOnly To, int Visits, int AutoVerified, double AutoVerifiedRate, double ExceptionsPer100,
    int Rejected, IReadOnlyList<CaregiverFiguresResponse> Caregivers);

public static class VisitSetup
{
    public static IServiceCollection AddVisits(this IServiceCollection services)
    {
        services.AddValidatedOptions<VisitOptions>("Visits");
        services.AddSingleton<IPhotoStore>(sp => new DiskPhotoStore(Path.GetFullPath(sp.GetRequiredService<IOptions<VisitOptions>>().Value.PhotoFolder)));
        services.AddScoped<VisitPhotos>();
        services.AddScoped<VisitRecorder>();
        services.AddScoped<PatrolSchedule>();
        services.AddScoped<VisitViews>();
        return services;
    }

    public static void MapVisits(this IEndpointRouteBuilder app)
    {
        var visits = app.MapGroup("/api/visits").WithTags("Visits");

        // The form is read here, not bound: a bound file makes routing answer 415 to a request without a session
        // before the session is checked, and every endpoint answers 401 to those first.
        visits.MapPost("/photos", async (HttpRequest request, Actor actor, VisitRecorder recorder, VisitPhotos photos, CancellationToken ct) =>
        {
            if (await recorder.CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver.ToResult();
            if (!request.HasFormContentType) return Problems.UnsupportedMediaType.ToResult("照片请用 multipart/form-data 上传，字段名 photo");
            var form = await request.ReadFormAsync(ct);
            if (form.Files.GetFile("photo") is not { } photo) return new Refusal(Problems.ValidationFailed, "没有收到照片（字段名 photo）").ToResult();
            var taken = await photos.TakeInAsync(actor, caregiver, photo, ct);
            return taken.ToHttp(p => Results.Ok(new PhotoUploadedResponse(p.Id, p.Width, p.Height, p.ExifTakenAt is not null, p.ExifLatitude is not null)));
        }).DisableAntiforgery().Produces<PhotoUploadedResponse>()
          .WithSummary("A caregiver uploads a visit photo taken with the camera (multipart/form-data, field \"photo\", JPEG or PNG): its id for the clock-in or out");

        visits.MapGet("/photos/{id:long}", async (long id, Actor actor, VisitPhotos photos, CancellationToken ct) =>
            (await photos.ReadAsync(actor, id, ct)).ToHttp(p => Results.File(p.Content, p.Type)))
          .Produces(StatusCodes.Status200OK, typeof(Stream), "image/jpeg", "image/png")
          .WithSummary("A visit photo, for the elder's and the caregiver's station, the caregiver who took it, officers, and bound family (without its metadata); every read is logged");

        visits.MapGet("/today", async (Actor actor, VisitRecorder recorder, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (await recorder.CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver.ToResult();
            var today = clock.Today();
            var rows = await (from b in db.Bookings
                              join e in db.Elders on b.ElderId equals e.Id
                              where b.CaregiverId == caregiver.Id && b.Date == today && b.Mode == ServiceModes.AtHome
                                 && (b.Status == BookingStatus.Assigned || b.Status == BookingStatus.InService || b.Status == BookingStatus.Completed || b.Status == BookingStatus.Rated)
                              orderby b.Start
                              select new { b.Id, b.Start, b.End, b.Line, b.ServiceName, e, Visit = db.Visits.Where(v => v.BookingId == b.Id).Select(v => new { v.Id, v.Status }).FirstOrDefault() })
                .AsNoTracking().ToListAsync(ct);
            var stationPhone = await db.Stations.Where(s => s.Id == caregiver.StationId).Select(s => s.DutyPhone).SingleOrDefaultAsync(ct);
            return Results.Ok(rows.Select(r =>
            {
                GeoPoint? map = r.e.Home.IsKnown ? ChinaDatum.ToGcj02(r.e.Home) : null;
                return new TodayVisitResponse(r.Id, r.Start, r.End, r.Line, r.ServiceName, r.e.Id, r.e.Name, ElderEndpoints.MaskPhone(r.e.Phone), r.e.Phone, r.e.Address,
                    map?.Latitude, map?.Longitude, stationPhone, VisitChecklists.For(r.Line).Select(i => new ChecklistItemResponse(i.Key, i.Value)).ToList(),
                    r.Visit?.Id, r.Visit?.Status.ToString());
            }).ToList());
        }).Produces<List<TodayVisitResponse>>().WithSummary("A caregiver's visits today, in order: the elder, the address and map point, what to do, and each visit's state");

        visits.MapPost("/clock-in", async (ClockInRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
        {
            var clocked = await recorder.ClockInAsync(actor, body.BookingId, body.ElderId, body.Line, body.Fix.ToFix(), ct, body.PatrolId);
            if (clocked.Refusal is { } refused) return refused.ToResult();
            var response = await views.DescribeAsync(clocked.Value.Visit, ct);
            return clocked.Value.Created ? Results.Created($"/api/visits/{response.Id}", response) : Results.Ok(response);
        }).Produces<VisitResponse>(StatusCodes.Status201Created).Produces<VisitResponse>()
          .WithSummary("A caregiver clocks in at the door: the fix, the photo and the phone's times; for a booking, or an elder without one (unscheduled)");

        visits.MapGet("/deliveries", async (Actor actor, VisitRecorder recorder, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (await recorder.CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver.ToResult();
            var today = clock.Today();
            var stops = await (from b in db.Bookings
                               join r in db.ServiceResources on b.ResourceId equals r.Id
                               join e in db.Elders on b.ElderId equals e.Id
                               where r.StationId == caregiver.StationId && b.Date == today && b.Line == ServiceLine.Meals && b.Mode == ServiceModes.Delivery
                                  && (b.Status == BookingStatus.Confirmed || b.Status == BookingStatus.Requested)
                               orderby b.Start, e.Address
                               select new { b.Id, b.ServiceName, b.MealPeriod, b.Status, e }).AsNoTracking().ToListAsync(ct);
            return Results.Ok(stops.Select(s =>
            {
                GeoPoint? map = s.e.Home.IsKnown ? ChinaDatum.ToGcj02(s.e.Home) : null;
                return new DeliveryStopResponse(s.Id, s.ServiceName, s.MealPeriod?.ToString(), s.e.Name, ElderEndpoints.MaskPhone(s.e.Phone), s.e.Phone, s.e.Address,
                    map?.Latitude, map?.Longitude, s.Status == BookingStatus.Requested);
            }).ToList());
        }).Produces<List<DeliveryStopResponse>>()
          .WithSummary("Today's meals to deliver from the caregiver's station, not yet handed over: whom, where (GCJ-02), and whether it is still unpaid");

        visits.MapPost("/meal-handover", async (MealHandoverRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
            await (await recorder.HandOverMealAsync(actor, body.BookingId, body.Fix.ToFix(), body.MealCode, ct)).ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .Produces<VisitResponse>()
          .WithSummary("The delivery person hands a delivered meal over at the door: the fix and the elder's meal code (scanned or typed) or a photo; the meal is served");

        visits.MapPost("/{id:long}/clock-out", async (long id, ClockOutRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
            await (await recorder.ClockOutAsync(actor, id, body.Fix.ToFix(), body.Checklist ?? [], body.Note, body.NewNeed, ct,
                    body.Patrol is { } p ? new PatrolCheck(p.Mood, p.HomeSafe!.Value) : null))
                .ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .Produces<VisitResponse>().WithSummary("A caregiver clocks out: the fix, the photo, the checklist done, a note and a new need; the answer says whether it is verified or why it needs review");

        visits.MapGet("/{id:long}", async (long id, Actor actor, EldercareDb db, VisitViews views, AccessPolicy access, CancellationToken ct) =>
        {
            var visit = await db.Visits.AsNoTracking().SingleOrDefaultAsync(v => v.Id == id, ct);
            if (visit is null) return VisitProblems.VisitNotFound.ToResult();
            if (!SeesVisit(actor, visit) && await access.CheckElderAsync(actor, visit.ElderId, write: false, ct) is { } refused) return refused.ToResult();
            return Results.Ok(await views.DescribeAsync(visit, ct));
        }).Produces<VisitResponse>().WithSummary("One visit with its evidence and checks");

        app.MapPost("/api/bookings/{bookingId:long}/visit-confirmation", async (long bookingId, VisitConfirmationRequest body, Actor actor, VisitRecorder recorder,
            VisitViews views, CancellationToken ct) =>
            await (await recorder.ConfirmAsync(actor, bookingId, body.Done!.Value, body.Rating, ct)).ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .WithTags("Visits").Produces<VisitResponse>()
          .WithSummary("The elder or bound family (mini-program), the hotline's call, or the station's window say whether a home visit was done, and rate it; \"not done\" sends it to review and tasks the station");

        app.MapGet("/api/elders/{elderId:int}/visits-to-confirm", async (int elderId, Actor actor, EldercareDb db, AccessPolicy access, TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff) return Problems.Forbidden.ToResult();
            if (await access.CheckElderAsync(actor, elderId, write: false, ct) is { } refused) return refused.ToResult();
            var since = clock.Today().AddDays(-7);
            var rows = await (from v in db.Visits
                              join c in db.Caregivers on v.CaregiverId equals c.Id
                              where v.ElderId == elderId && v.BookingId != null && v.ClockOut != null && v.Date >= since && v.Status != VisitStatus.Rejected
                                 && !db.VisitConfirmations.Any(x => x.VisitId == v.Id)
                              orderby v.Date descending
                              select new { v, Caregiver = c.Name }).AsNoTracking().ToListAsync(ct);
            return Results.Ok(rows.Select(r => new VisitToConfirmResponse(r.v.BookingId!.Value, r.v.ServiceName, r.Caregiver, r.v.ClockOut!.HappenedAt)).ToList());
        }).WithTags("Visits").Produces<List<VisitToConfirmResponse>>()
          .WithSummary("An elder's home visits of the last week that nobody has confirmed yet: for the window or the person who answered the elder's call to ask about");

        app.MapGet("/api/bookings/{bookingId:long}/visit", async (long bookingId, Actor actor, EldercareDb db, AccessPolicy access, CancellationToken ct) =>
        {
            var visit = await db.Visits.AsNoTracking().SingleOrDefaultAsync(v => v.BookingId == bookingId, ct);
            if (visit is null) return VisitProblems.NoVisit.ToResult();
            if (!SeesVisit(actor, visit) && await access.CheckElderAsync(actor, visit.ElderId, write: false, ct) is { } refused) return refused.ToResult();
            var caregiver = await db.Caregivers.Where(c => c.Id == visit.CaregiverId).Select(c => c.Name).SingleAsync(ct);
            var said = await db.VisitConfirmations.Where(c => c.VisitId == visit.Id).OrderByDescending(c => c.At).Select(c => (bool?)c.Done).FirstOrDefaultAsync(ct);
            return Results.Ok(new BookingVisitResponse(visit.Id, caregiver, visit.ClockIn.HappenedAt, visit.ClockOut?.HappenedAt, said, visit.ClockOut is not null));
        }).WithTags("Visits").Produces<BookingVisitResponse>()
          .WithSummary("A booking's home visit for the elder and family: who came, arrived and left when, and whether the elder has said it was done");

        visits.MapGet("/patrols", async (Actor actor, VisitRecorder recorder, PatrolSchedule patrols, CancellationToken ct) =>
            await recorder.CaregiverOfAsync(actor, ct) is { } caregiver
                ? Results.Ok(await patrols.OpenAsync(caregiver.StationId, caregiver.Id, ct))
                : VisitProblems.NotACaregiver.ToResult())
          .Produces<List<PatrolResponse>>().WithSummary("A caregiver's patrol visits due soon and overdue, overdue first");

        app.MapGet("/api/stations/{stationId:int}/patrols", async (int stationId, Actor actor, PatrolSchedule patrols, CancellationToken ct) =>
            AccessPolicy.CheckWorksAtStation(actor, stationId) is { } refused ? refused.ToResult() : Results.Ok(await patrols.OpenAsync(stationId, null, ct)))
          .WithTags("Visits").Produces<List<PatrolResponse>>().WithSummary("A station's patrol visits due within the week and overdue, with who goes");

        app.MapPut("/api/elders/{elderId:int}/patrol-opt-in", async (int elderId, PatrolOptInRequest body, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            if (!AccessPolicy.AtTheWindow(actor)) return Problems.Forbidden.ToResult();
            if (await access.CheckElderAsync(actor, elderId, write: true, ct) is { } refused) return refused.ToResult();
            await db.Elders.Where(e => e.Id == elderId).ExecuteUpdateAsync(s => s.SetProperty(e => e.PatrolOptIn, body.OptIn!.Value), ct);
            return Results.Ok(new PatrolOptInRequest(body.OptIn));
        }).WithTags("Visits").Produces<PatrolOptInRequest>()
          .WithSummary("At the window: an elder asks to be visited on patrol (举手制), or no longer; the next morning's schedule takes it");

        visits.MapGet("/review", async ([FromQuery] int stationId, Actor actor, EldercareDb db, VisitViews views, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } refused || actor.Role == StaffRole.Caregiver) return Problems.Forbidden.ToResult();
            var queue = await db.Visits.AsNoTracking().Where(v => v.StationId == stationId && v.Status == VisitStatus.NeedsReview)
                .OrderBy(v => v.Date).ThenBy(v => v.Id).Take(200).ToListAsync(ct);
            var responses = new List<VisitResponse>();
            foreach (var visit in queue) responses.Add(await views.DescribeAsync(visit, ct));
            return Results.Ok(responses);
        }).Produces<List<VisitResponse>>().WithSummary("The station's visits that need review, oldest first, each with its evidence and reasons (its manager, clerks and officers)");

        visits.MapGet("/resolution-codes", () => Results.Ok(new ResolutionCodesResponse(
                VisitResolution.Reasons.Select(r => new ReasonResponse(r.Key, r.Value)).ToList(),
                VisitResolution.Resolutions.Select(r => new ReasonResponse(r.Key, r.Value.Words)).ToList())))
          .Produces<ResolutionCodesResponse>().WithSummary("What may explain a visit under review, and how a manager may settle it");

        visits.MapPost("/{id:long}/resolve", async (long id, ResolveVisitRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
            await (await recorder.ResolveAsync(actor, id, body.Reason, body.Resolution, body.Note, ct))
                .ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .Produces<VisitResponse>().WithSummary("The station manager settles a visit under review with a reason and a resolution; a rejected visit is not paid and its subsidy goes back");

        visits.MapPost("/{id:long}/corrections", async (long id, CorrectVisitRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
            await (await recorder.CorrectAsync(actor, id, body.EndedAt, body.Checklist, body.Note, body.Why, ct)).ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .Produces<VisitResponse>()
          .WithSummary("The station manager corrects a visit's record (a forgotten clock-out's time, the checklist, the note) with a reason; the record as it was is kept as a revision");

        visits.MapPost("/{id:long}/unlock", async (long id, UnlockVisitRequest body, Actor actor, VisitRecorder recorder, VisitViews views, CancellationToken ct) =>
            await (await recorder.UnlockAsync(actor, id, body.Reason, ct)).ToHttpAsync(async v => Results.Ok(await views.DescribeAsync(v, ct))))
          .Produces<VisitResponse>().WithSummary("An officer unlocks a locked visit record for a while, with a reason (kept as a revision)");

        visits.MapGet("/{id:long}/revisions", async (long id, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            var visit = await db.Visits.AsNoTracking().SingleOrDefaultAsync(v => v.Id == id, ct);
            if (visit is null) return VisitProblems.VisitNotFound.ToResult();
            if (!SeesVisit(actor, visit) || actor.Role == StaffRole.Caregiver) return Problems.Forbidden.ToResult();
            var revisions = await db.VisitRevisions.AsNoTracking().Where(r => r.VisitId == id).OrderBy(r => r.Number)
                .Select(r => new VisitRevisionResponse(r.Number, r.Before, r.BeforeHash, r.ChangedBy, r.ChangedAt, r.Why)).ToListAsync(ct);
            return Results.Ok(new VisitHistoryResponse(id, visit.IntegrityHash, visit.IntegrityHash == VisitSeal.Hash(visit), revisions));
        }).Produces<VisitHistoryResponse>()
          .WithSummary("A visit's earlier states, oldest first (each as it was, with its hash, who changed it, when and why), and whether the record now is intact");

        visits.MapGet("/figures", async ([FromQuery] int stationId, [FromQuery] DateOnly? from, [FromQuery] DateOnly? to, Actor actor, VisitViews views,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (AccessPolicy.CheckWorksAtStation(actor, stationId) is { } refused) return refused.ToResult();
            var (first, last) = (from ?? clock.Today().AddDays(-29), to ?? clock.Today());
            if (last < first || last.DayNumber - first.DayNumber > 366) return new Refusal(Problems.ValidationFailed, "日期范围不对（最长一年）").ToResult();
            return Results.Ok(await views.FiguresAsync(stationId, first, last, ct));
        }).Produces<VisitFiguresResponse>().WithSummary("A station's auto-verified rate and exceptions per 100 visits, in all and per caregiver (default: the last 30 days)");
    }

    /// <summary>The caregiver who made it, the staff of the station that sent them, and officers.</summary>
    private static bool SeesVisit(Actor actor, Visit visit) =>
        AccessPolicy.IsOfficer(actor) || (actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager or StaffRole.Caregiver } && actor.StationId == visit.StationId);
}

/// <summary>A meal to hand over at a door today. Unpaid: still waiting for its payment (it cannot be handed over yet).</summary>
public sealed record DeliveryStopResponse(long BookingId, string Menu, string? Period, string ElderName, string MaskedPhone, string PhoneToCall, string Address,
    double? Latitude, double? Longitude, bool Unpaid);

public sealed record VisitToConfirmResponse(long BookingId, string ServiceName, string CaregiverName, DateTime LeftAt);

public sealed record MealHandoverRequest(
    [property: Range(1, long.MaxValue)] long BookingId,
    [property: Required] FixBody Fix,
    [property: StringLength(20)] string? MealCode);

public sealed record CorrectVisitRequest(
    DateTime? EndedAt,
    [property: MaxLength(20)] List<string>? Checklist,
    [property: StringLength(500)] string? Note,
    [property: Required, StringLength(200, MinimumLength = 2)] string Why);

public sealed record UnlockVisitRequest([property: Required, StringLength(200, MinimumLength = 2)] string Reason);

public sealed record VisitRevisionResponse(int Number, string Before, string BeforeHash, string ChangedBy, DateTime ChangedAt, string Why);

public sealed record VisitHistoryResponse(long VisitId, string? IntegrityHash, bool Intact, IReadOnlyList<VisitRevisionResponse> Revisions);

public sealed record PatrolOptInRequest([property: Required] bool? OptIn);

/// <summary>A visit as the API answers it: the elder's and caregiver's names, distances from the home, words for the codes, and whether the record is intact and locked.</summary>
public sealed class VisitViews(EldercareDb db, VisitRecorder recorder, TimeProvider clock)
{
    /// <summary>A station's finished visits over a period: the share verified without review, exceptions per 100, rejections; in all and per caregiver.</summary>
    public async Task<VisitFiguresResponse> FiguresAsync(int stationId, DateOnly first, DateOnly last, CancellationToken ct)
    {
        var finished = await db.Visits.AsNoTracking()
            .Where(v => v.StationId == stationId && v.Date >= first && v.Date <= last && v.Status != VisitStatus.InProgress)
            .Select(v => new { v.CaregiverId, v.Status, v.ResolvedAt }).ToListAsync(ct);
        var names = await db.Caregivers.Where(c => c.StationId == stationId).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        (int Visits, int Auto, double Rate, double Per100) Figures(IReadOnlyCollection<VisitStatus> statuses, int auto) =>
            (statuses.Count, auto, statuses.Count == 0 ? 0 : Math.Round(100.0 * auto / statuses.Count, 1), statuses.Count == 0 ? 0 : Math.Round(100.0 * (statuses.Count - auto) / statuses.Count, 1));
        var all = Figures(finished.Select(v => v.Status).ToList(), finished.Count(v => v.Status == VisitStatus.Verified && v.ResolvedAt is null));
        var byCaregiver = finished.GroupBy(v => v.CaregiverId).Select(g =>
        {
            var f = Figures(g.Select(v => v.Status).ToList(), g.Count(v => v.Status == VisitStatus.Verified && v.ResolvedAt is null));
            return new CaregiverFiguresResponse(g.Key, names.GetValueOrDefault(g.Key, ""), f.Visits, f.Auto, f.Rate, f.Per100);
        }).OrderBy(c => c.CaregiverId).ToList();
    return new VisitFiguresResponse(stationId, first, last, all.Visits, all.Auto, all.Rate, all.Per100, finished.Count(v => v.Status == VisitStatus.Rejected), byCaregiver);
    }

    public async Task<VisitResponse> DescribeAsync(Visit v, CancellationToken ct)
    {
        var elder = await db.Elders.AsNoTracking().Where(e => e.Id == v.ElderId).Select(e => new { e.Name, e.Home }).SingleAsync(ct);
        var caregiver = await db.Caregivers.Where(c => c.Id == v.CaregiverId).Select(c => c.Name).SingleAsync(ct);
        FixResponse Fix(VisitFix f) => new(f.Latitude, f.Longitude, f.AccuracyMeters, f.PhotoId, f.CapturedAt, f.SentAt, f.ArrivedAt, f.HappenedAt,
            elder.Home.WholeMetresTo(f.Point));
        var items = VisitChecklists.For(v.Line);
        return new VisitResponse(v.Id, v.Kind.ToString(), v.BookingId, v.ElderId, elder.Name, v.CaregiverId, caregiver, v.StationId, v.Line, v.ServiceName, v.Date,
            v.BookedStart, v.BookedEnd, Fix(v.ClockIn), v.ClockOut is { } o ? Fix(o) : null,
            (v.ChecklistDone?.Split(',') ?? []).Select(c => new ReasonResponse(c, items.GetValueOrDefault(c, c))).ToList(), v.Note, v.NewNeed,
            v.PatrolMood is { } mood ? VisitChecklists.Moods.GetValueOrDefault(mood, mood) : null, v.PatrolHomeSafe, v.Status.ToString(),
            v.Reasons.Select(r => new ReasonResponse(r, VisitReasons.Words.GetValueOrDefault(r, r))).ToList(),
            v.ResolutionReason, v.Resolution, v.ResolutionNote, v.ResolvedAt,
            await db.VisitConfirmations.AsNoTracking().Where(c => c.VisitId == v.Id).OrderBy(c => c.At)
                .Select(c => new ConfirmationResponse(c.Channel.ToString(), c.Done, c.Rating, c.At)).ToListAsync(ct),
            Intact: v.IntegrityHash == VisitSeal.Hash(v), Locked: recorder.Locked(v, clock.GetUtcNow().UtcDateTime));
    }
}

public sealed record ResolutionCodesResponse(IReadOnlyList<ReasonResponse> Reasons, IReadOnlyList<ReasonResponse> Resolutions);

/// <summary>Every quarter of an hour: visits long past their end and still not clocked out go to review.</summary>
public sealed class MissingClockOutJob(VisitRecorder recorder) : IJob
{
    public static readonly JobKey Key = new("missing-clock-out", "visits");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await recorder.MarkMissingClockOutsAsync(ct);
}
