using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Visits;

public static class VisitProblems
{
    public static readonly Problem NotACaregiver = new("not-a-caregiver", 403, "只有护理员可以上门打卡");
    public static readonly Problem NotYourStation = new("not-your-station", 403, "这次上门不是本驿站的服务");
    public static readonly Problem VisitNotFound = new("visit-not-found", 404, "没有找到这次上门服务");
    public static readonly Problem PhotoNotFound = new("photo-not-found", 400, "照片没有上传成功，请重新拍照");
    public static readonly Problem NotStartable = new("visit-not-startable", 409, "这个预约现在不能开始上门服务");
    public static readonly Problem AlreadyStarted = new("visit-already-started", 409, "这次上门已经有人打过卡了");
    public static readonly Problem AlreadyClockedOut = new("visit-already-clocked-out", 409, "这次上门已经签退了");
    public static readonly Problem NotInReview = new("visit-not-in-review", 409, "这次上门不在待核查之列");
    public static readonly Problem BadTimes = new("visit-times-invalid", 400, "打卡时间不对：拍摄时间不能晚于发送时间，也不能早于30天前");
    public static readonly Problem UnknownChecklistItem = new("checklist-item-unknown", 400, "服务清单里有不认识的项目");
    public static readonly Problem UnknownCode = new("resolution-code-unknown", 400, "核查原因或处理结果不在可选范围内");
    public static readonly Problem NotAPhoto = new("not-a-photo", 400, "上传的不是照片（请用相机拍摄 JPEG 或 PNG）");
    public static readonly Problem PhotoTooLarge = new("photo-too-large", 413, "照片太大了");
    public static readonly Problem NotFinished = new("visit-not-finished", 409, "护理员还没有签退，服务结束后再确认");
    public static readonly Problem NoVisit = new("booking-has-no-visit", 404, "这个预约还没有上门服务记录");
    public static readonly Problem Locked = new("visit-locked", 409, "这条服务记录已锁定，不能再改");
    public static readonly Problem NotLocked = new("visit-not-locked", 409, "这条服务记录没有锁定");
    public static readonly Problem MealCodeWrong = new("meal-code-wrong", 400, "助餐卡号对不上，请核对是不是这位老人的卡");
    public static readonly Problem HandoverProofMissing = new("handover-proof-missing", 400, "送餐到家请扫老人的助餐卡，或者拍一张交到老人手里的照片");
    public static readonly Problem PatrolNotFound = new("patrol-not-found", 404, "没有找到这次巡视探访");
    public static readonly Problem PatrolCheckMissing = new("patrol-check-missing", 400, "巡视探访签退时请填写老人状态（精神好/一般/不太好）和家中是否安全");
}

/// <summary>A patrol's short check at clock-out: how the elder seemed (good, fair, poor) and whether the home looked safe.</summary>
public sealed record PatrolCheck(string Mood, bool HomeSafe);

/// <summary>One clock-in or clock-out as sent: the GCJ-02 fix with its accuracy, the photo uploaded first, and the phone's two times.</summary>
public sealed record FixRequest(double? Latitude, double? Longitude, double? AccuracyMeters, long? PhotoId, DateTime CapturedAt, DateTime SentAt);

/// <summary>Records home visits (clock-in, clock-out), runs the checks, and settles the ones that need review.</summary>
public sealed class VisitRecorder(EldercareDb db, BookingEngine engine, SubsidyLedger subsidies, BookingReminders reminders, AccessPolicy access,
    IOptions<VisitOptions> options, TimeProvider clock, ILogger<VisitRecorder> log)
{
    private const int MaxOfflineDays = 30;

    /// <summary>The caregiver a staff session belongs to, or null for anyone else.</summary>
    public async Task<Caregiver?> CaregiverOfAsync(Actor actor, CancellationToken ct) =>
        actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Caregiver }
            ? await (from s in db.StaffAccounts
                     join c in db.Caregivers on s.CaregiverId equals c.Id
                     where s.Id == actor.Id && c.IsActive
                     select c).AsNoTracking().SingleOrDefaultAsync(ct)
            : null;

    /// <summary>
    /// Clocks in at the door of a booked visit, or of an elder with no booking (an unscheduled visit, to be explained).
    /// The same clock-in sent again (a retry, the offline queue) answers the visit it made, with Created false.
    /// </summary>
    public async Task<Outcome<(Visit Visit, bool Created)>> ClockInAsync(Actor actor, long? bookingId, int? elderId, ServiceLine? unscheduledLine, FixRequest fix,
        CancellationToken ct, long? patrolId = null)
    {
        if (await CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver;
        var now = clock.GetUtcNow().UtcDateTime;
        if (await CheckFixAsync(actor, fix, now, ct) is { } wrong) return wrong;
        if (patrolId is { } patrol) return await ClockInPatrolAsync(caregiver, patrol, fix, now, ct);
        Booking? booking = null;
        if (bookingId is { } id)
        {
            elderId = await db.Bookings.Where(b => b.Id == id).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
            if (elderId is null) return BookingProblems.BookingNotFound;
        }
        else if (elderId is null || unscheduledLine is null || !Enum.IsDefined(unscheduledLine.Value))
        {
            return new Refusal(Problems.ValidationFailed, "请选择预约，或者选择老人和服务类别");
        }
        else if (await access.CheckElderAsync(actor, elderId.Value, write: false, ct) is { } refused)
        {
            return refused;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(elderId.Value, ct);
        var captured = fix.CapturedAt.ToUniversalTime();
        var existing = bookingId is { } b
            ? await db.Visits.SingleOrDefaultAsync(v => v.BookingId == b, ct)
            : await db.Visits.SingleOrDefaultAsync(v => v.BookingId == null && v.CaregiverId == caregiver.Id && v.ElderId == elderId && v.ClockIn.CapturedAt == captured, ct);
        if (existing is not null)
            return existing.CaregiverId == caregiver.Id && existing.ClockIn.CapturedAt == captured ? (existing, false) : VisitProblems.AlreadyStarted;

        var visit = new Visit
        {
            Kind = bookingId is null ? VisitKind.Unscheduled : VisitKind.Booked, BookingId = bookingId, ElderId = elderId.Value,
            CaregiverId = caregiver.Id, StationId = caregiver.StationId,
            Line = unscheduledLine ?? ServiceLine.Cleaning, ServiceName = $"未预约的{VisitChecklists.LineWords(unscheduledLine ?? ServiceLine.Cleaning)}",
            Date = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(Fix(fix, now).HappenedAt)), ClockIn = Fix(fix, now), Status = VisitStatus.InProgress, CreatedAt = now, UpdatedAt = now,
        };
        if (bookingId is not null)
        {
            booking = await db.Bookings.Include(x => x.History).SingleAsync(x => x.Id == bookingId, ct);
            var serviceStation = await db.ServiceResources.Where(r => r.Id == booking.ResourceId).Select(r => r.StationId).SingleAsync(ct);
            if (serviceStation != caregiver.StationId) return VisitProblems.NotYourStation;
            if (booking.Mode != ServiceModes.AtHome || booking.Status is not (BookingStatus.Assigned or BookingStatus.Confirmed))
                return new Refusal(VisitProblems.NotStartable, $"预约状态：{booking.Status}");
            if (DateOnly.FromDateTime(BusinessTime.ToBusinessTime(visit.ClockIn.HappenedAt)) != booking.Date)
                return new Refusal(VisitProblems.NotStartable, $"这次服务约在{booking.Date:M月d日}");
            (visit.Line, visit.ServiceName, visit.Date, visit.BookedStart, visit.BookedEnd) = (booking.Line, booking.ServiceName, booking.Date, booking.Start, booking.End);
            if (booking.CaregiverId != caregiver.Id) visit.ReviewReasons = VisitReasons.Substitute; // someone else of the station went
            await engine.MoveForVisitAsync(booking, BookingStatus.InService, actor, now, $"{caregiver.Name}上门打卡", ct);
        }
        Seal(visit);
        db.Visits.Add(visit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (bookingId is not null)
        {
            return VisitProblems.AlreadyStarted; // the unique booking index: another clock-in won the race (no lock covers a booking moved meanwhile)
        }
        await tx.CommitAsync(ct);
        log.LogInformation("Visit {VisitId} clocked in by caregiver {CaregiverId}", visit.Id, caregiver.Id);
        return (visit, true);
    }

    /// <summary>
    /// A delivered meal handed over at the door: one fix, and a photo or the elder's meal code (scanned from their card or
    /// typed). Recorded as a visit clocked in and out at once, checked like any (place, photo, clock), and the meal is served.
    /// </summary>
    public async Task<Outcome<Visit>> HandOverMealAsync(Actor actor, long bookingId, FixRequest fix, string? mealCode, CancellationToken ct)
    {
        if (await CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver;
        var now = clock.GetUtcNow().UtcDateTime;
        if (await CheckFixAsync(actor, fix, now, ct) is { } wrong) return wrong;
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return BookingProblems.BookingNotFound;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(elderId.Value, ct);
        var booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == bookingId, ct);
        if (await db.Visits.SingleOrDefaultAsync(v => v.BookingId == bookingId, ct) is { } existing)
            return existing.CaregiverId == caregiver.Id && existing.ClockIn.CapturedAt == fix.CapturedAt.ToUniversalTime() ? existing : VisitProblems.AlreadyStarted;
        var serviceStation = await db.ServiceResources.Where(r => r.Id == booking.ResourceId).Select(r => r.StationId).SingleAsync(ct);
        if (serviceStation != caregiver.StationId) return VisitProblems.NotYourStation;
        if (booking.Line != ServiceLine.Meals || booking.Mode != ServiceModes.Delivery || !Booking.CanMove(booking.Status, BookingStatus.Completed, booking.Line))
            return new Refusal(VisitProblems.NotStartable, $"{booking.ServiceName}：{booking.Status}");
        if (DateOnly.FromDateTime(BusinessTime.ToBusinessTime(Fix(fix, now).HappenedAt)) != booking.Date)
            return new Refusal(VisitProblems.NotStartable, $"这份餐约在{booking.Date:M月d日}");
        var elderCode = await db.Elders.Where(e => e.Id == booking.ElderId).Select(e => e.MealCode).SingleAsync(ct);
        var scanned = mealCode is not null && MealCode.Normalise(mealCode) is { } typed && typed == elderCode;
        if (mealCode is not null && !scanned) return VisitProblems.MealCodeWrong;
        if (!scanned && fix.PhotoId is null) return VisitProblems.HandoverProofMissing;
        var atDoor = Fix(fix, now);
        var visit = new Visit
        {
            Kind = VisitKind.Booked, BookingId = booking.Id, ElderId = booking.ElderId, CaregiverId = caregiver.Id, StationId = caregiver.StationId,
            Line = ServiceLine.Meals, ServiceName = booking.ServiceName, Date = booking.Date, ClockIn = atDoor, ClockOut = Fix(fix, now),
            MealCodeScanned = scanned, CreatedAt = now, UpdatedAt = now,
        };
        var reasons = VisitChecks.Check(visit, await EvidenceAsync(visit, caregiver, ct) with { MealCodeScanned = scanned }, options.Value.Rules);
        (visit.ReviewReasons, visit.Status) = (reasons.Count == 0 ? null : string.Join(',', reasons), reasons.Count == 0 ? VisitStatus.Verified : VisitStatus.NeedsReview);
        await engine.MoveForVisitAsync(booking, BookingStatus.Completed, actor, now, scanned ? $"{caregiver.Name}送到，扫了助餐卡" : $"{caregiver.Name}送到，拍了照", ct);
        Seal(visit);
        db.Visits.Add(visit);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return visit;
    }

    /// <summary>A patrol's clock-in: any caregiver of the patrol's station may go; the patrol is taken by this visit (once).</summary>
    private async Task<Outcome<(Visit Visit, bool Created)>> ClockInPatrolAsync(Caregiver caregiver, long patrolId, FixRequest fix, DateTime now, CancellationToken ct)
    {
        var found = await db.Patrols.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patrolId, ct);
        if (found is null) return VisitProblems.PatrolNotFound;
        if (found.StationId != caregiver.StationId) return VisitProblems.NotYourStation;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(found.ElderId, ct);
        var captured = fix.CapturedAt.ToUniversalTime();
        if (await db.Visits.SingleOrDefaultAsync(v => v.PatrolId == patrolId, ct) is { } existing)
            return existing.CaregiverId == caregiver.Id && existing.ClockIn.CapturedAt == captured ? (existing, false) : VisitProblems.AlreadyStarted;
        var clockIn = Fix(fix, now);
        var visit = new Visit
        {
            Kind = VisitKind.Patrol, PatrolId = patrolId, ElderId = found.ElderId, CaregiverId = caregiver.Id, StationId = caregiver.StationId,
            ServiceName = VisitChecklists.LineWords(null), Date = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(clockIn.HappenedAt)), ClockIn = clockIn,
            Status = VisitStatus.InProgress, CreatedAt = now, UpdatedAt = now,
        };
        Seal(visit);
        db.Visits.Add(visit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return VisitProblems.AlreadyStarted;
        }
        await db.Patrols.Where(p => p.Id == patrolId).ExecuteUpdateAsync(s => s.SetProperty(p => p.VisitId, visit.Id), ct);
        await tx.CommitAsync(ct);
        return (visit, true);
    }

    /// <summary>
    /// Clocks out: the second fix and photo, the checklist, a note and a new need; then the checks decide whether the
    /// visit is verified or needs review, and the booking is completed. The same clock-out sent again answers the visit.
    /// </summary>
    public async Task<Outcome<Visit>> ClockOutAsync(Actor actor, long visitId, FixRequest fix, IReadOnlyList<string> checklist, string? note, string? newNeed,
        CancellationToken ct, PatrolCheck? patrol = null)
    {
        if (await CaregiverOfAsync(actor, ct) is not { } caregiver) return VisitProblems.NotACaregiver;
        var now = clock.GetUtcNow().UtcDateTime;
        if (await CheckFixAsync(actor, fix, now, ct) is { } wrong) return wrong;
        var elderId = await db.Visits.Where(v => v.Id == visitId && v.CaregiverId == caregiver.Id).Select(v => (int?)v.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return VisitProblems.VisitNotFound;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(elderId.Value, ct);
        var visit = await db.Visits.SingleAsync(v => v.Id == visitId, ct);
        if (visit.ClockOut is { } done)
            return done.CapturedAt == fix.CapturedAt.ToUniversalTime() ? visit : VisitProblems.AlreadyClockedOut;
        if (visit.Status == VisitStatus.Rejected) return new Refusal(VisitProblems.AlreadyClockedOut, "这次上门已被驳回，请打给驿站");
        var known = VisitChecklists.For(visit.Line);
        var unknown = checklist.Where(item => string.IsNullOrWhiteSpace(item) || !known.ContainsKey(item)).Select(item => item ?? "（空）").ToList();
        if (unknown.Count > 0) return new Refusal(VisitProblems.UnknownChecklistItem, string.Join("、", unknown));
        // A clock-out kept offline that arrives after the visit went to review as missing it: taken, and still reviewed.
        var earlierReasons = visit.Status == VisitStatus.NeedsReview ? visit.Reasons.ToList() : [];
        if (visit.Status == VisitStatus.NeedsReview)
        {
            if (Locked(visit, now)) return LockedRefusal(visit);
            await ReviseAsync(visit, actor, "迟到的签退", now, ct);
        }

        if (visit.Kind == VisitKind.Patrol)
        {
            if (patrol is null || !VisitChecklists.Moods.ContainsKey(patrol.Mood)) return VisitProblems.PatrolCheckMissing;
            (visit.PatrolMood, visit.PatrolHomeSafe) = (patrol.Mood, patrol.HomeSafe);
            await db.Patrols.Where(p => p.Id == visit.PatrolId).ExecuteUpdateAsync(s => s.SetProperty(p => p.DoneAt, now), ct);
        }
        visit.ClockOut = Fix(fix, now);
        (visit.ChecklistDone, visit.Note, visit.NewNeed) = (checklist.Count == 0 ? null : string.Join(',', checklist.Distinct()), Trimmed(note), Trimmed(newNeed));
        var reasons = VisitChecks.Check(visit, await EvidenceAsync(visit, caregiver, ct), options.Value.Rules);
        if (visit.Reasons.Contains(VisitReasons.Substitute)) reasons.Insert(0, VisitReasons.Substitute);
        reasons = earlierReasons.Concat(reasons).Distinct().ToList();
        visit.ReviewReasons = reasons.Count == 0 ? null : string.Join(',', reasons);
        visit.Status = reasons.Count == 0 ? VisitStatus.Verified : VisitStatus.NeedsReview;
        visit.UpdatedAt = now;
        Seal(visit);
        if (visit.BookingId is { } bookingId)
        {
            var booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == bookingId, ct);
            if (booking.Status == BookingStatus.InService) await engine.MoveForVisitAsync(booking, BookingStatus.Completed, actor, now, $"{caregiver.Name}签退", ct);
            // The elder (or family) is asked: in WeChat, or by a call from the hotline to the phone on file.
            reminders.AddNotice(visit.ElderId, ReminderKind.VisitConfirmation, bookingId, now,
                $"护理员{caregiver.Name}刚才为您上门{VisitChecklists.LineWords(visit.Line)}。");
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Visit {VisitId} clocked out: {Status} {Reasons}", visit.Id, visit.Status, visit.ReviewReasons);
        return visit;
    }

    /// <summary>
    /// A station manager settles a visit that needs review: what explains it and what they did. A visit found not
    /// delivered is rejected: it is not payable and its subsidy goes back, as a no-show's does.
    /// </summary>
    public async Task<Outcome<Visit>> ResolveAsync(Actor actor, long visitId, string reason, string resolution, string? note, CancellationToken ct)
    {
        if (!VisitResolution.Reasons.ContainsKey(reason) || !VisitResolution.Resolutions.TryGetValue(resolution, out var settled))
            return new Refusal(VisitProblems.UnknownCode, $"{reason} / {resolution}");
        var found = await db.Visits.Where(v => v.Id == visitId).Select(v => new { v.ElderId, v.StationId }).SingleOrDefaultAsync(ct);
        if (found is null) return VisitProblems.VisitNotFound;
        if (actor is not { Kind: PrincipalKind.Staff, Role: StaffRole.StationManager } || actor.StationId != found.StationId) return Problems.Forbidden;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(found.ElderId, ct);
        var visit = await db.Visits.SingleAsync(v => v.Id == visitId, ct);
        if (visit.Status != VisitStatus.NeedsReview) return new Refusal(VisitProblems.NotInReview, $"现在是{visit.Status}");
        var now = clock.GetUtcNow().UtcDateTime;
        if (Locked(visit, now)) return LockedRefusal(visit);
        await ReviseAsync(visit, actor, $"核查：{VisitResolution.Reasons[reason]}，{settled.Words}", now, ct);
        visit.Status = settled.Delivered ? VisitStatus.Verified : VisitStatus.Rejected;
        (visit.ResolutionReason, visit.Resolution, visit.ResolutionNote, visit.ResolvedAt, visit.ResolvedByStaffId, visit.UpdatedAt) =
            (reason, resolution, Trimmed(note), now, actor.Id, now);
        Seal(visit);
        if (!settled.Delivered && visit.BookingId is { } bookingId)
        {
            var booking = await db.Bookings.SingleAsync(b => b.Id == bookingId, ct);
            await subsidies.ReverseAsync(booking, ct);
            db.BookingEvents.Add(new BookingEvent
            {
                BookingId = booking.Id, FromStatus = booking.Status, ToStatus = booking.Status, At = now, ActorKind = actor.HistoryKind, ActorId = actor.HistoryId,
                Channel = actor.Channel, Note = $"上门核查驳回（{VisitResolution.Reasons[reason]}），不予结算，补贴退回",
            });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return visit;
    }

    /// <summary>
    /// The elder's word on a booked visit after the clock-out: in the mini-program (the elder or bound family), by the
    /// hotline's call, at the station's window, or to the person who answered their call (a one-key terminal call). "Not done" sends the visit to review (unless already rejected) and
    /// gives the station a task; a rating rates the booking, once.
    /// </summary>
    public async Task<Outcome<Visit>> ConfirmAsync(Actor actor, long bookingId, bool done, int? rating, CancellationToken ct)
    {
        var found = await db.Visits.Where(v => v.BookingId == bookingId).Select(v => new { v.Id, v.ElderId }).SingleOrDefaultAsync(ct);
        if (found is null) return VisitProblems.NoVisit;
        var channel = actor switch
        {
            { Kind: PrincipalKind.Service } => ConfirmationChannel.Phone,
            { Kind: PrincipalKind.Elder or PrincipalKind.Family } => actor.Channel == Channel.HomeTerminal ? ConfirmationChannel.HomeTerminal : ConfirmationChannel.MiniProgram,
            { Kind: PrincipalKind.Staff } when AccessPolicy.AtTheWindow(actor) => ConfirmationChannel.Window,
            // The person who answered the elder's call (the one-key terminal, the hotline) records what the elder says.
            { Kind: PrincipalKind.Staff, Role: StaffRole.HotlineAgent } => ConfirmationChannel.Phone,
            _ => (ConfirmationChannel?)null,
        };
        if (channel is null || actor.IsSystem) return Problems.Forbidden;
        if (await access.CheckElderAsync(actor, found.ElderId, write: actor.Kind != PrincipalKind.Service, ct) is { } refused) return refused;

        var now = clock.GetUtcNow().UtcDateTime;
        Visit visit;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.LockElderAsync(found.ElderId, ct);
            visit = await db.Visits.SingleAsync(v => v.Id == found.Id, ct);
            if (visit.ClockOut is null) return VisitProblems.NotFinished;
            db.VisitConfirmations.Add(new VisitConfirmation { VisitId = visit.Id, Done = done, Rating = rating, Channel = channel.Value, By = $"{actor.Kind}:{actor.Id}", At = now });
            if (!done && visit.Status != VisitStatus.Rejected && !visit.Reasons.Contains(VisitReasons.ElderSaysNotDone))
            {
                if (Locked(visit, now)) return LockedRefusal(visit);
                await ReviseAsync(visit, actor, "老人说服务没有完成", now, ct);
                visit.ReviewReasons = string.Join(',', visit.Reasons.Append(VisitReasons.ElderSaysNotDone));
                visit.Status = VisitStatus.NeedsReview;
                visit.UpdatedAt = now;
                Seal(visit);
                var elder = await db.Elders.Where(e => e.Id == visit.ElderId).Select(e => new { e.Name, e.Phone }).SingleAsync(ct);
                reminders.AddNotice(visit.ElderId, ReminderKind.VisitDisputed, bookingId, now,
                    $"{elder.Name}说{visit.Date:M月d日}的{visit.ServiceName}没有完成，请尽快联系老人（{elder.Phone}）核实。");
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        // The rating goes on the booking as any rating does (a booking is rated once: a second one is not an error here).
        if (done && rating is { } score) await engine.RateAsync(actor, bookingId, score, null, ct);
        log.LogInformation("Visit {VisitId} confirmed by {Channel}: done {Done}", visit.Id, channel, done);
        return visit;
    }

    /// <summary>Visits still not clocked out well after they should have ended go to review as missing their clock-out.</summary>
    public async Task<int> MarkMissingClockOutsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = options.Value.ClockOutDueAfter;
        var open = await db.Visits.AsNoTracking().Where(v => v.Status == VisitStatus.InProgress)
            .Select(v => new { v.Id, v.ElderId, v.Date, v.BookedEnd, In = v.ClockIn.ArrivedAt }).ToListAsync(ct);
        var marked = 0;
        foreach (var late in open.Where(v => now > (v.BookedEnd is { } end ? BusinessTime.ToUtc(v.Date, end) : v.In) + due))
        {
            // Under the elder's lock, as a clock-out takes it: a clock-out arriving at this moment wins.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.LockElderAsync(late.ElderId, ct);
            var visit = await db.Visits.SingleAsync(v => v.Id == late.Id, ct);
            if (visit.Status != VisitStatus.InProgress) continue;
            (visit.Status, visit.ReviewReasons, visit.UpdatedAt) = (VisitStatus.NeedsReview, string.Join(',', visit.Reasons.Append(VisitReasons.MissingClockOut)), now);
            Seal(visit);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            marked++;
        }
        return marked;
    }

    /// <summary>
    /// A station manager corrects a visit's record (a forgotten clock-out's time, the checklist, the note) with a reason:
    /// the record as it was is kept as a revision, and the visit stays as the checks or the queue left it.
    /// </summary>
    public async Task<Outcome<Visit>> CorrectAsync(Actor actor, long visitId, DateTime? endedAt, IReadOnlyList<string>? checklist, string? note, string why, CancellationToken ct)
    {
        var found = await db.Visits.Where(v => v.Id == visitId).Select(v => new { v.ElderId, v.StationId }).SingleOrDefaultAsync(ct);
        if (found is null) return VisitProblems.VisitNotFound;
        if (actor is not { Kind: PrincipalKind.Staff, Role: StaffRole.StationManager } || actor.StationId != found.StationId) return Problems.Forbidden;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(found.ElderId, ct);
        var visit = await db.Visits.SingleAsync(v => v.Id == visitId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (visit.Status == VisitStatus.InProgress) return new Refusal(VisitProblems.NotFinished, "服务还在进行中，签退后再更正");
        if (Locked(visit, now)) return LockedRefusal(visit);
        if (checklist is not null && checklist.Any(item => string.IsNullOrWhiteSpace(item) || !VisitChecklists.For(visit.Line).ContainsKey(item)))
            return new Refusal(VisitProblems.UnknownChecklistItem, checklist.FirstOrDefault(item => !string.IsNullOrWhiteSpace(item) && !VisitChecklists.For(visit.Line).ContainsKey(item)) ?? "（空）");
        if (endedAt is { } ended && (visit.ClockOut is not null || ended.ToUniversalTime() <= visit.ClockIn.HappenedAt || ended.ToUniversalTime() > now))
            return new Refusal(VisitProblems.BadTimes, visit.ClockOut is not null ? "已经签退，不能补签退时间" : "补的签退时间要在到门之后、现在之前");
        await ReviseAsync(visit, actor, why.Trim(), now, ct);
        if (endedAt is { } end)
        {
            visit.ClockOut = new VisitFix { CapturedAt = end.ToUniversalTime(), SentAt = now, ArrivedAt = now }; // told by the manager now: no place, no photo
            // The visit has ended: its patrol is done (the next one can be scheduled) and its booking is served.
            if (visit.PatrolId is { } patrol) await db.Patrols.Where(p => p.Id == patrol).ExecuteUpdateAsync(x => x.SetProperty(p => p.DoneAt, now), ct);
            if (visit.BookingId is { } booked && await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == booked, ct) is { Status: BookingStatus.InService } serving)
                await engine.MoveForVisitAsync(serving, BookingStatus.Completed, actor, now, "站长补记签退", ct);
        }
        if (checklist is not null) visit.ChecklistDone = checklist.Count == 0 ? null : string.Join(',', checklist.Distinct());
        if (note is not null) visit.Note = Trimmed(note);
        visit.UpdatedAt = now;
        Seal(visit);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return visit;
    }

    /// <summary>An officer unlocks a locked record for a while, with a reason (kept as a revision like any change).</summary>
    public async Task<Outcome<Visit>> UnlockAsync(Actor actor, long visitId, string reason, CancellationToken ct)
    {
        if (!AccessPolicy.IsOfficer(actor)) return Problems.Forbidden;
        var visit = await db.Visits.SingleOrDefaultAsync(v => v.Id == visitId, ct);
        if (visit is null) return VisitProblems.VisitNotFound;
        var now = clock.GetUtcNow().UtcDateTime;
        if (!Locked(visit, now)) return new Refusal(VisitProblems.NotLocked, $"{options.Value.LockAfterDays}天内的记录不用解锁");
        await ReviseAsync(visit, actor, $"解锁：{reason.Trim()}", now, ct);
        (visit.UnlockedUntil, visit.UnlockedByStaffId, visit.UnlockReason, visit.UpdatedAt) = (now + options.Value.UnlockFor, actor.Id, reason.Trim(), now);
        await db.SaveChangesAsync(ct);
        return visit;
    }

    /// <summary>A record locks some days after the visit, and changes then only while an officer's unlock lasts.</summary>
    public bool Locked(Visit visit, DateTime now) =>
        DateOnly.FromDateTime(BusinessTime.ToBusinessTime(now)) > visit.Date.AddDays(options.Value.LockAfterDays) && !(visit.UnlockedUntil > now);

    private Refusal LockedRefusal(Visit visit) =>
        new(VisitProblems.Locked, $"{visit.Date:yyyy年M月d日}的记录已超过{options.Value.LockAfterDays}天，需要民政监管人员解锁");

    /// <summary>The record as it is, before a change to a clocked-out visit, appended as its next revision.</summary>
    private async Task ReviseAsync(Visit visit, Actor actor, string why, DateTime now, CancellationToken ct)
    {
        var number = await db.VisitRevisions.CountAsync(r => r.VisitId == visit.Id, ct) + db.ChangeTracker.Entries<VisitRevision>().Count(e => e.Entity.VisitId == visit.Id && e.State == EntityState.Added) + 1;
        db.VisitRevisions.Add(new VisitRevision
        {
            VisitId = visit.Id, Number = number, Before = VisitSeal.Canonical(visit), BeforeHash = visit.IntegrityHash ?? "", ChangedBy = $"{actor.Kind}:{actor.Id}", ChangedAt = now, Why = why,
        });
    }

    private static void Seal(Visit visit) => visit.IntegrityHash = VisitSeal.Hash(visit);

    /// <summary>A photo must be this caregiver's upload; the phone's capture time must not be after its send time, nor older than a month.</summary>
    private async Task<Refusal?> CheckFixAsync(Actor actor, FixRequest fix, DateTime now, CancellationToken ct)
    {
        var (captured, sent) = (fix.CapturedAt.ToUniversalTime(), fix.SentAt.ToUniversalTime());
        if (captured > sent + TimeSpan.FromMinutes(1) || sent - captured > TimeSpan.FromDays(MaxOfflineDays) || (now - sent).Duration() > TimeSpan.FromDays(MaxOfflineDays))
            return VisitProblems.BadTimes;
        if (fix.PhotoId is { } photo && !await db.VisitPhotos.AnyAsync(p => p.Id == photo && p.UploadedByStaffId == actor.Id, ct))
            return VisitProblems.PhotoNotFound;
        return null;
    }

    private static VisitFix Fix(FixRequest fix, DateTime arrived) => new()
    {
        Latitude = fix.Latitude, Longitude = fix.Longitude, AccuracyMeters = fix.AccuracyMeters, PhotoId = fix.PhotoId,
        CapturedAt = fix.CapturedAt.ToUniversalTime(), SentAt = fix.SentAt.ToUniversalTime(), ArrivedAt = arrived,
    };

    /// <summary>What the checks need beyond the visit: the home, the photos, reuse of a photo on another of the station's visits, qualification, overlaps.</summary>
    private async Task<VisitEvidence> EvidenceAsync(Visit visit, Caregiver caregiver, CancellationToken ct)
    {
        var home = await db.Elders.Where(e => e.Id == visit.ElderId).Select(e => e.Home).SingleAsync(ct);
        var photoIds = new[] { visit.ClockIn.PhotoId, visit.ClockOut?.PhotoId }.OfType<long>().ToList();
        var photos = await db.VisitPhotos.AsNoTracking().Where(p => photoIds.Contains(p.Id)).ToListAsync(ct);
        var earlier = await (from v in db.Visits
                             where v.StationId == visit.StationId && v.Id != visit.Id
                             from p in db.VisitPhotos
                             where p.Id == v.ClockIn.PhotoId || p.Id == v.ClockOut!.PhotoId
                             select p.PerceptualHash).ToListAsync(ct);
        var bits = options.Value.PhotoReuseBits;
        // The same picture as on another of the station's visits (the same file is the same photo id), or at both ends of this one.
        var reused = photos.Any(p => earlier.Any(h => VisitChecks.HammingDistance(h, p.PerceptualHash) <= bits))
            || (visit.Line != ServiceLine.Meals && visit.ClockIn.PhotoId is { } first && first == visit.ClockOut?.PhotoId); // a handover is one moment, one photo
        var (start, end) = (visit.ClockIn.HappenedAt, visit.ClockOut!.HappenedAt);
        var others = await db.Visits.AsNoTracking().Where(v => v.CaregiverId == caregiver.Id && v.Id != visit.Id && v.Date >= visit.Date.AddDays(-1) && v.Date <= visit.Date.AddDays(1))
            .ToListAsync(ct);
        var overlaps = others.Any(o => o.ClockIn.HappenedAt < end && start < (o.ClockOut?.HappenedAt ?? o.ClockIn.HappenedAt));
        return new VisitEvidence(home, photos.FirstOrDefault(p => p.Id == visit.ClockIn.PhotoId), photos.FirstOrDefault(p => p.Id == visit.ClockOut?.PhotoId),
            reused, visit.Line != ServiceLine.Bathing || caregiver.CanBathe, overlaps);
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
