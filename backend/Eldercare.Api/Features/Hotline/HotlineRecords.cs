using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Hotline;

public sealed record ReportEmergencyRequest([property: Range(1, int.MaxValue)] int ElderId, [property: RegularExpression(HotlineRecords.CallIdPattern)] string? CallId);

/// <summary>
/// An emergency case: Reached is what the hotline's call did (e.g. "emergency,person:duty:6s": the duty phone answered
/// after 6 s), once the call has ended; Calls are the calls to the elder's emergency contacts and how each went.
/// </summary>
public sealed record EmergencyResponse(long Id, int ElderId, string ElderName, int StationId, string Station, string DutyPhone, string Status, DateTime OpenedAt,
    DateTime? ClosedAt, string? Note, string? Reached = null, IReadOnlyList<EmergencyContactCall>? Calls = null);

/// <summary>A call to an emergency contact: Queued (still being tried), Delivered (they pressed 1) or Failed, and when.</summary>
public sealed record EmergencyContactCall(string Who, string Status, string? Reason, DateTime? At);

public sealed record CloseEmergencyRequest([property: Required, StringLength(500, MinimumLength = 1)] string Note);

public sealed record CallRecordRequest(
    [property: Required, RegularExpression(HotlineRecords.CallIdPattern)] string CallId,
    CallDirection Direction,
    [property: StringLength(20)] string? Number,
    int? ElderId,
    [property: Required(AllowEmptyStrings = true), StringLength(1000)] string Path, // empty for a call out nobody answered
    [property: Required, StringLength(100, MinimumLength = 1)] string Outcome,
    DateTime StartedAt,
    [property: Range(0, 86_400)] int DurationSeconds);

public sealed record CallRecordResponse(long Id, string CallId, string Direction, string? Number, int? ElderId, string? ElderName, string Path, string Outcome, DateTime StartedAt, int DurationSeconds);

/// <summary>A finished call's record: written now, or already there from an earlier send.</summary>
public sealed record CallRecordedResponse(string CallId, bool AlreadyRecorded);

/// <summary>
/// What the hotline leaves behind: emergency cases (key 9), which alert the station at once (a console task), the
/// bound family (WeChat) and the elder's emergency contacts (a call from the hotline: "按1确认收到"), and stay open until
/// staff close them; and the call log, readable by staff.
/// </summary>
public static class HotlineRecords
{
    /// <summary>A SIP Call-ID is printable ASCII (RFC 3261 "word" characters); anything else is not a call of ours.</summary>
    public const string CallIdPattern = @"^[\x21-\x7E]{1,64}$";

    public static readonly Problem CaseNotFound = new("emergency-not-found", 404, "没有找到这条紧急求助");
    public static readonly Problem AlreadyClosed = new("emergency-closed", 409, "这条紧急求助已经处理完了");

    public static void MapHotlineRecords(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/hotline/emergencies", async (ReportEmergencyRequest body, Actor actor, EldercareDb db, BookingReminders reminders,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (!AccessPolicy.IsHotline(actor)) return CallerIdentification.HotlineOnly.ToResult();
            var elder = await (from e in db.Elders
                               join c in db.Communities on e.CommunityId equals c.Id
                               join s in db.Stations on c.StationId equals s.Id
                               where e.Id == body.ElderId
                               select new { e.Id, e.Name, StationId = s.Id, Station = s.Name, s.DutyPhone }).SingleOrDefaultAsync(ct);
            if (elder is null) return AccessPolicy.ElderNotFound.ToResult();
            // The hotline sends a case again when an answer was lost: one case per call.
            if (body.CallId is { } callId && await db.EmergencyCases.AsNoTracking().FirstOrDefaultAsync(x => x.CallId == callId && x.ElderId == elder.Id, ct) is { } opened)
                return Results.Ok(ToResponse(opened, elder.Name, elder.Station, elder.DutyPhone));
            var now = clock.GetUtcNow().UtcDateTime;
            var found = new EmergencyCase { ElderId = elder.Id, StationId = elder.StationId, Source = "hotline", CallId = body.CallId, Status = EmergencyStatus.Open, OpenedAt = now };
            db.EmergencyCases.Add(found);
            // The station sees it in its task list at once; the bound family get a WeChat message.
            reminders.AddNotice(elder.Id, ReminderKind.Emergency, null, now,
                $"{elder.Name}在{Infrastructure.Time.BusinessTime.ToBusinessTime(now):HH:mm}拨打热线紧急求助，热线正在为老人接通驿站值班电话。请立即联系老人。");
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/emergencies/{found.Id}", ToResponse(found, elder.Name, elder.Station, elder.DutyPhone));
        }).WithTags("Hotline").RequireAuthorization().Produces<EmergencyResponse>(StatusCodes.Status201Created).Produces<EmergencyResponse>().WithSummary("The hotline opens an emergency case: the station and the family are alerted; answers the station's duty phone");

        app.MapGet("/api/emergencies", async (EmergencyStatus? status, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff) return Problems.Forbidden.ToResult();
            var query = from x in db.EmergencyCases.AsNoTracking()
                        join e in db.Elders on x.ElderId equals e.Id
                        join s in db.Stations on x.StationId equals s.Id
                        select new { Case = x, e.Name, Station = s.Name, s.DutyPhone };
            if (!AccessPolicy.SeesWholeDistrict(actor)) query = query.Where(x => x.Case.StationId == actor.StationId);
            if (status is { } st) query = query.Where(x => x.Case.Status == st);
            var rows = await query.OrderByDescending(x => x.Case.OpenedAt).Take(200).ToListAsync(ct);
            var elderIds = rows.Select(x => x.Case.ElderId).Distinct().ToList();
            var callIds = rows.Select(x => x.Case.CallId).Where(c => c != null).ToList();
            var reached = await db.CallRecords.AsNoTracking().Where(c => callIds.Contains(c.CallId)).ToDictionaryAsync(c => c.CallId, c => c.Outcome, ct);
            // The case's alert is the Emergency reminder written with it (same elder, same instant); its calls to the contacts:
            var calls = (await (from r in db.Reminders.AsNoTracking()
                                join d in db.Deliveries on r.Id equals d.ReminderId
                                join c in db.EmergencyContacts on d.RecipientId equals c.Id
                                where elderIds.Contains(r.ElderId) && r.Kind == ReminderKind.Emergency && d.RecipientKind == RecipientKind.EmergencyContact
                                select new { r.ElderId, r.CreatedAt, c.Name, c.Relation, d.Status, d.FailReason, d.UpdatedAt }).ToListAsync(ct))
                .ToLookup(x => (x.ElderId, x.CreatedAt), x => new EmergencyContactCall($"{x.Name}（{x.Relation}）", x.Status.ToString(), x.FailReason, x.UpdatedAt));
            return Results.Ok(rows.Select(x => ToResponse(x.Case, x.Name, x.Station, x.DutyPhone) with
            {
                Reached = x.Case.CallId is { } id ? reached.GetValueOrDefault(id) : null,
                Calls = calls[(x.Case.ElderId, x.Case.OpenedAt)].ToList(),
            }));
        }).WithTags("Hotline").RequireAuthorization().Produces<List<EmergencyResponse>>().WithSummary("Emergency cases: a station's own, or all for officers and hotline agents");

        app.MapPost("/api/emergencies/{id:long}/close", async (long id, CloseEmergencyRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var found = await db.EmergencyCases.SingleOrDefaultAsync(x => x.Id == id, ct);
            if (found is null) return CaseNotFound.ToResult();
            if (!AccessPolicy.AtTheWindowOf(actor, found.StationId))
                return Problems.Forbidden.ToResult();
            var closed = await db.EmergencyCases.Where(x => x.Id == id && x.Status == EmergencyStatus.Open).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, EmergencyStatus.Closed).SetProperty(x => x.ClosedAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(x => x.ClosedByStaffId, actor.Id).SetProperty(x => x.Note, body.Note.Trim()), ct);
            return closed == 0 ? AlreadyClosed.ToResult() : Results.NoContent();
        }).WithTags("Hotline").RequireAuthorization().Produces(StatusCodes.Status204NoContent).WithSummary("Station staff close an emergency case with what was done");

        app.MapPost("/api/hotline/calls", async (CallRecordRequest body, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Service) return CallerIdentification.HotlineOnly.ToResult();
            // One record per call: the hotline may send it again after a lost answer.
            var written = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO call_records (call_id, direction, number, elder_id, path, outcome, started_at, duration_seconds)
                VALUES ({body.CallId}, {body.Direction.ToString()}, {body.Number}, {body.ElderId}, {body.Path}, {body.Outcome}, {body.StartedAt.ToUniversalTime()}, {body.DurationSeconds})
                ON CONFLICT (call_id) DO NOTHING
                """, ct);
            return written == 1
                ? Results.Created($"/api/hotline/calls?callId={Uri.EscapeDataString(body.CallId)}", new CallRecordedResponse(body.CallId, AlreadyRecorded: false))
                : Results.Ok(new CallRecordedResponse(body.CallId, AlreadyRecorded: true));
        }).WithTags("Hotline").RequireAuthorization().Produces<CallRecordedResponse>(StatusCodes.Status201Created).Produces<CallRecordedResponse>()
            .WithSummary("The hotline records a finished call: 201 when recorded, 200 when it was recorded already (sent again after a lost answer)");

        app.MapGet("/api/hotline/calls", async (int? elderId, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff || actor.Role == StaffRole.Caregiver) return Problems.Forbidden.ToResult();
            if (elderId is { } id && await access.CheckElderAsync(actor, id, write: false, ct) is { } denied) return denied.ToResult();
            var query = from c in db.CallRecords.AsNoTracking()
                        join e in db.Elders on c.ElderId equals e.Id into known
                        from e in known.DefaultIfEmpty()
                        join m in db.Communities on e.CommunityId equals m.Id into zone
                        from m in zone.DefaultIfEmpty()
                        select new { Call = c, ElderName = e == null ? null : e.Name, StationId = m == null ? (int?)null : m.StationId };
            if (elderId is not null) query = query.Where(x => x.Call.ElderId == elderId);
            // Hotline agents and officers see every call; station staff the calls of their zone's elders.
            else if (!AccessPolicy.SeesWholeDistrict(actor)) query = query.Where(x => x.StationId == actor.StationId);
            var calls = await query.OrderByDescending(x => x.Call.StartedAt).Take(200).ToListAsync(ct);
            return Results.Ok(calls.Select(x => new CallRecordResponse(x.Call.Id, x.Call.CallId, x.Call.Direction.ToString(), x.Call.Number, x.Call.ElderId,
                x.ElderName, x.Call.Path, x.Call.Outcome, x.Call.StartedAt, x.Call.DurationSeconds)));
        }).WithTags("Hotline").RequireAuthorization().Produces<List<CallRecordResponse>>().WithSummary("The hotline's call log, newest first: one elder's calls, or all calls (hotline agents, officers) or the zone's (station staff)");
    }

    private static EmergencyResponse ToResponse(EmergencyCase x, string elderName, string station, string dutyPhone) =>
        new(x.Id, x.ElderId, elderName, x.StationId, station, dutyPhone, x.Status.ToString(), x.OpenedAt, x.ClosedAt, x.Note);
}
