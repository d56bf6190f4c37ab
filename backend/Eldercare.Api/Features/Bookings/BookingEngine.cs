using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Payments;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Telemetry;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Bookings;

/// <summary>A booking to make; <paramref name="PayAtWindow"/>: a mini-program booking the elder pays at the station's window.</summary>
public sealed record BookingRequest(int ElderId, long SlotId, ServiceModes? Mode = null, bool PayAtWindow = false);

/// <summary>What the elder is told when the hub changes their booking; the text knows any refund owed (how it comes back).</summary>
public sealed record ElderNotice(ReminderKind Kind, Func<Booking, RefundOwed?, string> Text);

public enum ClosureOutcome { Moved, Cancelled }

/// <summary>What became of a payment WeChat Pay reported.</summary>
public enum OnlinePaymentOutcome { NoSuchBooking, AlreadyApplied, Paid, Confirmed, OwedBack }

public sealed record BookingResult(Booking? Booking, bool Created, Refusal? Refusal)
{
    public static BookingResult No(Refusal refusal) => new(null, false, refusal);
}

/// <summary>
/// The one booking engine every channel uses. Each change to an elder's bookings runs in one transaction
/// that first takes that elder's row lock (bumping Elder.BookingSequence), so an elder's bookings,
/// cancellations and subsidy caps change one at a time, on SQLite and PostgreSQL alike. Capacity is taken
/// with a conditional update (booked &lt; capacity), so a slot is never oversold however many elders race.
/// </summary>
public sealed class BookingEngine(EldercareDb db, SubsidyLedger subsidies, BookingReminders reminders, BookingQueries queries, BookingGate gate,
    PaymentLedger payments, IOptions<BookingOptions> options, IOptions<WeChatPayOptions> payOptions, HubMetrics metrics, TimeProvider clock, ILogger<BookingEngine> log)
{
    /// <summary>Books a slot. The same idempotency key with the same request returns the first booking (Created = false).</summary>
    public async Task<BookingResult> BookAsync(Actor actor, BookingRequest request, string idempotencyKey, CancellationToken ct)
    {
        var result = await gate.RunAsync(() => BookWithRetriesAsync(actor, request, idempotencyKey, ct), ct);
        metrics.BookingOutcome(result.Refusal is not null ? "refused" : result.Created ? "booked" : "replayed", result.Refusal?.Problem.Type, actor.Channel);
        return result;
    }

    private async Task<BookingResult> BookWithRetriesAsync(Actor actor, BookingRequest request, string idempotencyKey, CancellationToken ct)
    {
        var requestHash = Hash(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryBookAsync(actor, request, idempotencyKey, requestHash, ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another request with the same idempotency key (for another elder) committed first: look again.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<BookingResult> TryBookAsync(Actor actor, BookingRequest request, string idempotencyKey, string requestHash, CancellationToken ct)
    {
        // What the slot is (service, place, time) never changes, so it is read before taking any lock; whether it
        // still has room is settled by the conditional update at the end.
        var place = await queries.SlotWithService(db, request.SlotId);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.LockElderAsync(request.ElderId, ct)) return BookingResult.No(AccessPolicy.ElderNotFound);

        // Under the elder's lock, one query reads the elder, their station, an earlier use of this idempotency key,
        // and the elder's bookings and subsidy budgets that day.
        var scope = actor.IdempotencyScope;
        var date = place?.Slot.Date ?? default;
        var found = await queries.ElderState(db, request.ElderId, scope, idempotencyKey, date, SubsidyRule.DayPeriod(date), SubsidyRule.MonthPeriod(date));
        if (found.EarlierBooking is { } earlierBooking)
        {
            return found.EarlierHash == requestHash
                ? new BookingResult(await LoadAsync(earlierBooking, ct), false, null)
                : BookingResult.No(BookingProblems.IdempotencyKeyReused);
        }
        if (place is null) return BookingResult.No(BookingProblems.SlotNotFound);
        var (elder, slot, item, resource) = (found.Elder, place.Slot, place.Item, place.Resource);
        var now = clock.GetUtcNow().UtcDateTime;

        var mode = request.Mode ?? DefaultMode(item.Modes);
        if (CheckRules(elder, item, slot, mode, now) is { } refused) return BookingResult.No(refused);
        if (resource.StationId != found.StationId && mode is ServiceModes.AtHome or ServiceModes.Delivery)
            return BookingResult.No(BookingProblems.OutsideZone);
        if (slot.Booked >= slot.Capacity) return SlotFull(slot, elder);

        if (found.Holding.FirstOrDefault(b => b.ClashesWith(item.Line, slot.Date, slot.Start, slot.End, slot.MealPeriod)) is { } clash)
            return BookingResult.No(new Refusal(BookingProblems.ElderBusy, $"已有预约：{clash.ServiceName} {clash.Date:M月d日} {clash.Start:HH:mm}"));

        var booking = new Booking
        {
            ElderId = elder.Id, SlotId = slot.Id, CatalogItemId = item.Id, CatalogVersion = item.Version, Line = item.Line,
            ServiceName = item.Name, ResourceId = slot.ResourceId, Date = slot.Date, Start = slot.Start, End = slot.End,
            MealPeriod = slot.MealPeriod, Mode = mode, Status = BookingStatus.Confirmed, Channel = actor.Channel,
            BookedByKind = actor.HistoryKind, BookedById = actor.HistoryId, ListPriceFen = item.ListPriceFen,
            PayableFen = item.ListPriceFen, CreatedAt = now, UpdatedAt = now,
        };
        db.Bookings.Add(booking);
        await db.SaveChangesAsync(ct);

        // The price, history line, idempotency record and reminders go in one batch once the booking has its id.
        var grants = subsidies.Grant(elder, item, booking, await queries.ActiveSubsidyRules(db).ToListAsync(ct), found.Budgets);
        booking.SubsidyFen = grants.Sum(g => g.AmountFen);
        booking.PayableFen = booking.ListPriceFen - booking.SubsidyFen;
        // Booked in the mini-program with something to pay: the place is held until it is paid (in WeChat, or at the window).
        if (booking.PayableFen > 0 && actor.Channel == Channel.MiniProgram && !actor.IsSystem)
        {
            if (PaymentHold(request, slot, now) is not { } hold)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return BookingResult.No(BookingProblems.NoWayToPay);
            }
            (booking.Status, booking.PayAtWindow, booking.PayBy) = (BookingStatus.Requested, hold.AtWindow, hold.PayBy);
        }
        booking.History.Add(Event(null, booking.Status, actor, now, null));
        db.IdempotencyRecords.Add(new IdempotencyRecord { Scope = actor.IdempotencyScope, Key = idempotencyKey, RequestHash = requestHash, BookingId = booking.Id, CreatedAt = now });
        reminders.AddForNewBooking(booking, now);
        await db.SaveChangesAsync(ct);

        // The place is taken last, just before the commit, so that the slot's row (which every booking of a busy
        // lunch contends for) stays locked for as short a time as possible. No place left: everything rolls back.
        var taken = await db.Slots.Where(x => x.Id == slot.Id && x.Booked < x.Capacity && x.Status == SlotStatus.Open)
            .ExecuteUpdateAsync(x => x.SetProperty(v => v.Booked, v => v.Booked + 1), ct);
        if (taken == 0)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            // Closed meanwhile (a closure took the slot first), or full.
            return await db.Slots.AnyAsync(x => x.Id == slot.Id && x.Status != SlotStatus.Open, ct) ? BookingResult.No(BookingProblems.SlotClosed) : SlotFull(slot, elder);
        }
        await tx.CommitAsync(ct);
        log.LogInformation("Booking {BookingId} {Status} for slot {SlotId} through {Channel}", booking.Id, booking.Status, slot.Id, booking.Channel);
        return new BookingResult(booking, true, null);
    }

    /// <summary>
    /// How and until when a booking waiting for payment holds its place: in WeChat for the payment window; at the window
    /// (WeChat Pay not set up, or the elder's choice) until the slot's order cut-off, if the settings allow it. Null: no way to pay.
    /// </summary>
    private (bool AtWindow, DateTime PayBy)? PaymentHold(BookingRequest request, Slot slot, DateTime now)
    {
        var window = options.Value.PaymentWindow;
        if (!request.PayAtWindow && payOptions.Value.Enabled) return (false, now + window);
        if (options.Value.WindowPayment == WindowPaymentPolicy.Off) return null;
        return (true, slot.CutoffAt > now + window ? slot.CutoffAt : now + window);
    }

    private static BookingResult SlotFull(Slot slot, Elder elder) =>
        BookingResult.No(new Refusal(BookingProblems.SlotFull, null, new Dictionary<string, object?>
        {
            ["waitlist"] = new { href = "/api/waitlist", slotId = slot.Id, elderId = elder.Id },
        }));

    /// <summary>Cancels a booking, frees its place exactly once, gives back its subsidy, then offers the place to the waitlist.</summary>
    /// <remarks>A <paramref name="notice"/> (the hub cancelling: a closure, an unpaid booking) is written in the same transaction, so the elder is told exactly when it happened, and told where any money comes back.</remarks>
    public Task<BookingResult> CancelAsync(Actor actor, long bookingId, string reason, bool ignoreCutoff, CancellationToken ct, ElderNotice? notice = null) =>
        ChangeStatusAsync(actor, bookingId, BookingStatus.Cancelled, () => reason, async (booking, now) =>
        {
            if (!Booking.CanMove(booking.Status, BookingStatus.Cancelled)) return BookingProblems.NotCancellable;
            if (ignoreCutoff) return null;
            var cutoff = await db.Slots.Where(s => s.Id == booking.SlotId).Select(s => s.CutoffAt).SingleAsync(ct);
            return now > cutoff ? new Refusal(BookingProblems.CutOffPassed, "截止时间已过，请联系驿站取消") : null;
        }, ct, notice);

    /// <summary>
    /// Moves a booking along its life (assigned to a caregiver, in service, completed, no-show, rejected), keeping the
    /// history. A rejected booking frees its place; a rejected or no-show booking gives back its subsidy, since the
    /// funders pay only for services delivered. Nobody is a no-show before the service was due to start.
    /// </summary>
    public Task<BookingResult> TransitionAsync(Actor actor, long bookingId, BookingStatus to, string? note, CancellationToken ct) =>
        ChangeStatusAsync(actor, bookingId, to, note, (booking, now) => Task.FromResult<Refusal?>(
            !Booking.CanMove(booking.Status, to, booking.Line) ? new Refusal(BookingProblems.InvalidTransition, $"{booking.Status} → {to}")
            : to == BookingStatus.NoShow && now < BusinessTime.ToUtc(booking.Date, booking.Start)
                ? new Refusal(BookingProblems.NoShowTooEarly, $"服务时间是{booking.Date:M月d日} {booking.Start:HH:mm}")
            : null), ct);

    /// <summary>
    /// Sends a caregiver of the booking's station on a visit at home: Confirmed → Assigned, or a reassignment of an
    /// Assigned visit. The caregiver's row lock is taken and the caregiver read again under it, so two managers cannot
    /// give one caregiver two overlapping visits at the same moment, nor a visit to a caregiver just taken off the roster.
    /// </summary>
    public Task<BookingResult> AssignAsync(Actor actor, long bookingId, int caregiverId, int stationId, CancellationToken ct)
    {
        string? caregiverName = null;
        return ChangeStatusAsync(actor, bookingId, BookingStatus.Assigned, () => $"派给护理员 {caregiverName}", async (booking, _) =>
        {
            if (booking.Status is not (BookingStatus.Confirmed or BookingStatus.Assigned))
                return new Refusal(BookingProblems.InvalidTransition, $"{booking.Status} → {BookingStatus.Assigned}");
            if (booking.Mode != ServiceModes.AtHome) return BookingProblems.NotAHomeVisit;
            if (!await db.LockCaregiverAsync(caregiverId, ct)) return BookingProblems.CaregiverNotFound;
            var caregiver = await db.Caregivers.AsNoTracking().SingleAsync(c => c.Id == caregiverId, ct);
            if (!caregiver.IsActive || caregiver.StationId != stationId) return BookingProblems.CaregiverNotFound;
            if (booking.Line == ServiceLine.Bathing && !caregiver.CanBathe) return BookingProblems.CaregiverCannotBathe;
            var clash = await db.Bookings.Where(b => b.CaregiverId == caregiver.Id && b.Id != booking.Id && b.Date == booking.Date
                    && (b.Status == BookingStatus.Assigned || b.Status == BookingStatus.InService) && b.Start < booking.End && booking.Start < b.End)
                .Select(b => new { b.Start, b.End, b.ServiceName }).FirstOrDefaultAsync(ct);
            if (clash is not null)
                return new Refusal(BookingProblems.CaregiverBusy, $"{caregiver.Name} {clash.Start:HH:mm}-{clash.End:HH:mm} 已有{clash.ServiceName}");
            booking.CaregiverId = caregiver.Id;
            caregiverName = caregiver.Name;
            return null;
        }, ct);
    }

    /// <summary>
    /// Hands over a meal at the counter: the booking is served (Completed) in one step, as the state machine allows
    /// for meals. Delivered meals are not served here, and a meal is handed over once: the second scan of a code
    /// finds it already served.
    /// </summary>
    public Task<BookingResult> ServeMealAsync(Actor actor, long bookingId, CancellationToken ct) =>
        ChangeStatusAsync(actor, bookingId, BookingStatus.Completed, "凭餐卡取餐", (booking, _) => Task.FromResult<Refusal?>(
            Booking.Served.Contains(booking.Status) ? BookingProblems.MealAlreadyServed
            : booking.Status == BookingStatus.Cancelled ? BookingProblems.MealCancelled
            : booking.Line == ServiceLine.Meals && Booking.CanMove(booking.Status, BookingStatus.Completed, booking.Line) ? null
            : new Refusal(BookingProblems.InvalidTransition, $"{booking.Status} → {BookingStatus.Completed}")), ct);

    /// <summary>The elder or their family rate a completed service (1-5, a comment); a service is rated once.</summary>
    public Task<BookingResult> RateAsync(Actor actor, long bookingId, int score, string? comment, CancellationToken ct) =>
        ChangeStatusAsync(actor, bookingId, BookingStatus.Rated, $"评分{score}", (booking, _) =>
        {
            if (booking.Status == BookingStatus.Rated) return Task.FromResult<Refusal?>(BookingProblems.AlreadyRated);
            if (booking.Status != BookingStatus.Completed) return Task.FromResult<Refusal?>(BookingProblems.NotYetCompleted);
            booking.RatingScore = score;
            booking.RatingComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
            return Task.FromResult<Refusal?>(null);
        }, ct);

    /// <summary>
    /// Repairs a booking left waiting (Requested) although its online payment is recorded: confirms it with what was
    /// paid. Payments and confirmations are written in one transaction (<see cref="RecordOnlinePaymentAsync"/>), so
    /// this finds only bookings from before that was so.
    /// </summary>
    public Task<BookingResult> ConfirmPaidAsync(long bookingId, CancellationToken ct) =>
        ChangeStatusAsync(Actor.System with { Channel = Channel.MiniProgram }, bookingId, BookingStatus.Confirmed, "微信支付成功", async (booking, now) =>
        {
            if (booking.Status != BookingStatus.Requested) return new Refusal(BookingProblems.InvalidTransition, $"{booking.Status} → Confirmed");
            var paid = await payments.PaidFenAsync(booking.Id, ct);
            if (paid != booking.PayableFen) return new Refusal(BookingProblems.InvalidTransition, "付款金额不符");
            booking.PaidFen = paid;
            reminders.AddConfirmedAfterPayment(booking, now);
            return null;
        }, ct);

    /// <summary>
    /// Applies a payment WeChat Pay reported, at most once, in one transaction under the elder's lock: the payment is
    /// recorded and the booking marked paid (and confirmed, if it was waiting for the payment); a booking that was
    /// cancelled or released meanwhile is owed the money back instead. A crash anywhere leaves either all of it or none.
    /// </summary>
    public async Task<OnlinePaymentOutcome> RecordOnlinePaymentAsync(long bookingId, long totalFen, CancellationToken ct)
    {
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return OnlinePaymentOutcome.NoSuchBooking;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockElderAsync(elderId.Value, ct);
        var booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == bookingId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // One payment per booking (a unique index): a repeated notification inserts nothing and changes nothing.
        if (!await payments.RecordOnlinePaymentAsync(booking, totalFen, now, ct)) return OnlinePaymentOutcome.AlreadyApplied;
        OnlinePaymentOutcome outcome;
        if (!PaymentLedger.Payable.Contains(booking.Status))
        {
            payments.AddRefundOwed(booking, PaymentMethod.WeChatPay, totalFen, stationId: null, actor: Actor.System, now);
            outcome = OnlinePaymentOutcome.OwedBack;
        }
        else
        {
            booking.PaidFen = totalFen;
            outcome = OnlinePaymentOutcome.Paid;
            if (booking.Status == BookingStatus.Requested)
            {
                ConfirmPaid(booking, Actor.System with { Channel = Channel.MiniProgram }, now, "微信支付成功", reminders);
                outcome = OnlinePaymentOutcome.Confirmed;
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return outcome;
    }

    /// <summary>
    /// Every status change after booking: under the elder's lock, checks the guard, records the history line, and
    /// settles what the new status means: a cancelled or rejected booking frees its place (once, since the status
    /// can change only once), is owed back what was paid, and the place is offered to the waitlist; a cancelled,
    /// rejected or no-show booking gives back its subsidy. The guard runs under the lock and may set what goes with
    /// the change (the caregiver of an assignment).
    /// </summary>
    private Task<BookingResult> ChangeStatusAsync(Actor actor, long bookingId, BookingStatus to, string? note,
        Func<Booking, DateTime, Task<Refusal?>> guard, CancellationToken ct) => ChangeStatusAsync(actor, bookingId, to, () => note, guard, ct);

    private async Task<BookingResult> ChangeStatusAsync(Actor actor, long bookingId, BookingStatus to, Func<string?> note,
        Func<Booking, DateTime, Task<Refusal?>> guard, CancellationToken ct, ElderNotice? notice = null)
    {
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return BookingResult.No(BookingProblems.BookingNotFound);
        var freesPlace = to is BookingStatus.Cancelled or BookingStatus.Rejected;
        Booking booking;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.LockElderAsync(elderId.Value, ct);
            booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == bookingId, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            if (await guard(booking, now) is { } refused) return BookingResult.No(refused);

            var refund = await ApplyStatusAsync(booking, to, actor, now, note(), ct);
            if (notice is not null) reminders.AddNotice(booking.ElderId, notice.Kind, booking.Id, now, notice.Text(booking, refund));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        log.LogInformation("Booking {BookingId} is now {Status}", booking.Id, to);
        if (freesPlace) await PromoteWaitlistAsync(booking.SlotId, ct);
        return new BookingResult(booking, true, null);
    }

    /// <summary>
    /// What a new status means, inside the caller's transaction under the elder's lock: the history line; a cancelled
    /// or rejected booking frees its place (once, since the status can change only once) and is owed back what was
    /// paid; a cancelled, rejected or no-show booking gives back its subsidy; reminders before the service are withdrawn
    /// once it will not happen or has begun. Answers the refund owed, if any.
    /// </summary>
    private async Task<RefundOwed?> ApplyStatusAsync(Booking booking, BookingStatus to, Actor actor, DateTime now, string? note, CancellationToken ct,
        bool askForRating = true)
    {
        var freesPlace = to is BookingStatus.Cancelled or BookingStatus.Rejected;
        booking.History.Add(Event(booking.Status, to, actor, now, note));
        booking.Status = to;
        booking.UpdatedAt = now;
        if (to == BookingStatus.Cancelled) booking.CancelReason = note;
        if (freesPlace) await FreePlaceAsync(booking.SlotId, ct);
        if (freesPlace || to == BookingStatus.NoShow) await subsidies.ReverseAsync(booking, ct);
        var refund = freesPlace ? await payments.AddRefundAsync(booking, actor, now, ct) : null;
        if (to == BookingStatus.Completed && askForRating) reminders.AddCompleted(booking, now);
        if (to is BookingStatus.Cancelled or BookingStatus.Rejected or BookingStatus.NoShow or BookingStatus.InService or BookingStatus.Completed)
            await reminders.CancelBeforeServiceAsync(booking.Id, ct);
        return refund;
    }

    /// <summary>
    /// A home visit's clock-in or clock-out moves its booking (in service, completed), inside the visit's own
    /// transaction under the elder's lock, which the caller holds, with the same consequences as any status change
    /// but one: the elder is asked to confirm the visit (and rate it) by the visit, not asked for a rating here.
    /// </summary>
    public async Task MoveForVisitAsync(Booking booking, BookingStatus to, Actor actor, DateTime now, string note, CancellationToken ct)
    {
        if (!Booking.CanMove(booking.Status, to, booking.Line)) throw new InvalidOperationException($"booking {booking.Id}: {booking.Status} → {to}");
        await ApplyStatusAsync(booking, to, actor, now, note, ct, askForRating: false);
    }

    private Task<int> FreePlaceAsync(long slotId, CancellationToken ct) =>
        db.Slots.Where(s => s.Id == slotId && s.Booked > 0).ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Booked - 1), ct);

    /// <summary>
    /// Settles one booking hit by a closure, in its own transaction under the elder's lock. With MoveBookings it moves
    /// to the same service at the same time on the next open day of the same resource within two weeks where the elder
    /// is free and its subsidy still fits the caps; the booking keeps its price and payment, so a paid booking stays
    /// paid. Otherwise it is cancelled and any payment owed back. The elder is told (where the money comes back, too)
    /// and the closure counts it in the same transaction. A booking that no longer holds a place in the closed days
    /// (cancelled or moved meanwhile) is left alone, so settling it again changes nothing.
    /// </summary>
    public async Task<ClosureOutcome?> SettleClosedBookingAsync(Closure closure, long bookingId, CancellationToken ct)
    {
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return null;
        ClosureOutcome outcome;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.LockElderAsync(elderId.Value, ct);
            var booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Id == bookingId, ct);
            if (!Booking.Cancellable.Contains(booking.Status) || booking.ResourceId != closure.ResourceId || booking.Date < closure.From || booking.Date > closure.To)
                return null;
            var now = clock.GetUtcNow().UtcDateTime;
            var moved = closure.MoveBookings && await MoveToNextOpenDayAsync(booking, closure, now, ct);
            if (moved)
            {
                outcome = ClosureOutcome.Moved;
                reminders.AddNotice(booking.ElderId, ReminderKind.BookingMoved, booking.Id, now,
                    $"很抱歉，因{closure.Reason}，您的{booking.ServiceName}改到了{booking.Date:M月d日} {booking.Start:HH:mm}，其他不变。");
                await db.Closures.Where(c => c.Id == closure.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.BookingsMoved, c => c.BookingsMoved + 1), ct);
            }
            else
            {
                outcome = ClosureOutcome.Cancelled;
                var refund = await ApplyStatusAsync(booking, BookingStatus.Cancelled, Actor.System, now, $"服务暂停：{closure.Reason}", ct);
                reminders.AddNotice(booking.ElderId, ReminderKind.BookingCancelled, booking.Id, now,
                    $"很抱歉，{booking.Date:M月d日} {booking.Start:HH:mm}的{booking.ServiceName}因{closure.Reason}取消了，补贴已退回。{refund?.ForElder}");
                await db.Closures.Where(c => c.Id == closure.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.BookingsCancelled, c => c.BookingsCancelled + 1), ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        log.LogInformation("Booking {BookingId} {Outcome} by closure {ClosureId}", bookingId, outcome, closure.Id);
        return outcome;
    }

    /// <summary>Moves a booking in place to the first open slot that takes it (under the elder's lock); false when none does.</summary>
    private async Task<bool> MoveToNextOpenDayAsync(Booking booking, Closure closure, DateTime now, CancellationToken ct)
    {
        var candidates = await db.Slots.AsNoTracking()
            .Where(s => s.ResourceId == booking.ResourceId && s.CatalogItemId == booking.CatalogItemId && s.Start == booking.Start
                && s.Date > closure.To && s.Date <= closure.To.AddDays(14) && s.Status == SlotStatus.Open && s.Booked < s.Capacity)
            .OrderBy(s => s.Date).ToListAsync(ct);
        foreach (var slot in candidates)
        {
            var sameDay = await db.Bookings.AsNoTracking()
                .Where(b => b.ElderId == booking.ElderId && b.Id != booking.Id && b.Date == slot.Date && Booking.Holding.Contains(b.Status)).ToListAsync(ct);
            if (sameDay.Any(b => b.ClashesWith(booking.Line, slot.Date, slot.Start, slot.End, slot.MealPeriod))) continue;
            if (!await subsidies.FitsOnAsync(booking, slot.Date, ct)) continue;
            var taken = await db.Slots.Where(x => x.Id == slot.Id && x.Booked < x.Capacity && x.Status == SlotStatus.Open)
                .ExecuteUpdateAsync(x => x.SetProperty(v => v.Booked, v => v.Booked + 1), ct);
            if (taken == 0) continue;
            await FreePlaceAsync(booking.SlotId, ct);
            await subsidies.MoveAsync(booking, slot.Date, ct);
            // A visit's caregiver was sent for the old day; the station assigns the new day again.
            var status = booking.Status == BookingStatus.Assigned ? BookingStatus.Confirmed : booking.Status;
            booking.History.Add(Event(booking.Status, status, Actor.System, now, $"因{closure.Reason}从{booking.Date:M月d日}改到{slot.Date:M月d日}"));
            (booking.SlotId, booking.Date, booking.Start, booking.End, booking.Status, booking.UpdatedAt) = (slot.Id, slot.Date, slot.Start, slot.End, status, now);
            booking.CaregiverId = null;
            await reminders.CancelBeforeServiceAsync(booking.Id, ct);
            reminders.AddBeforeService(booking, now);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Offers free places of a slot to its waitlist: protected groups first, then first come. A waiter who can no
    /// longer take the place (busy, no longer eligible, past the cut-off) is passed over with the reason kept.
    /// </summary>
    public async Task PromoteWaitlistAsync(long slotId, CancellationToken ct)
    {
        while (true)
        {
            db.ChangeTracker.Clear();
            var slot = await db.Slots.AsNoTracking().SingleAsync(s => s.Id == slotId, ct);
            if (slot.Booked >= slot.Capacity || slot.Status != SlotStatus.Open) return;
            var waiter = await db.WaitlistEntries.AsNoTracking().Where(w => w.SlotId == slotId && w.Status == WaitlistStatus.Waiting)
                .OrderByDescending(w => w.PriorityTier).ThenBy(w => w.CreatedAt).ThenBy(w => w.Id).FirstOrDefaultAsync(ct);
            if (waiter is null) return;

            var onBehalf = Actor.System with { Channel = waiter.Channel };
            var result = await BookAsync(onBehalf, new BookingRequest(waiter.ElderId, slotId, waiter.Mode), $"waitlist:{waiter.Id}", ct);
            if (result.Refusal?.Problem == BookingProblems.SlotFull) return; // someone else took the place first
            var now = clock.GetUtcNow().UtcDateTime;
            var outcome = result.Booking is not null ? WaitlistStatus.Promoted : WaitlistStatus.Expired;
            var changed = await db.WaitlistEntries.Where(w => w.Id == waiter.Id && w.Status == WaitlistStatus.Waiting).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Status, outcome)
                .SetProperty(w => w.BookingId, result.Booking == null ? null : result.Booking.Id)
                .SetProperty(w => w.Outcome, result.Refusal == null ? "已自动转为预约" : result.Refusal.Problem.Title)
                .SetProperty(w => w.UpdatedAt, now), ct);
            if (changed == 1 && result.Booking is { } promoted)
            {
                reminders.AddNotice(waiter.ElderId, ReminderKind.WaitlistPromoted, promoted.Id, now,
                    $"候补成功：{promoted.Date:M月d日} {promoted.Start:HH:mm} {promoted.ServiceName}已为您预约好。");
                await db.SaveChangesAsync(ct);
            }
        }
    }

    public Task<Booking?> LoadAsync(long bookingId, CancellationToken ct) =>
        db.Bookings.AsNoTracking().Include(b => b.History.OrderBy(h => h.Id)).SingleOrDefaultAsync(b => b.Id == bookingId, ct);

    /// <summary>The checks that need no other booking: elder status, eligibility, mode, slot state and cut-off.</summary>
    public static Refusal? CheckRules(Elder elder, CatalogItem item, Slot slot, ServiceModes mode, DateTime nowUtc)
    {
        if (elder.Status != ElderStatus.Active) return BookingProblems.ElderInactive;
        if (item.IneligibilityReason(elder, slot.Date) is { } why) return new Refusal(BookingProblems.NotEligible, why);
        if (!IsSingleMode(mode) || !item.Modes.HasFlag(mode)) return BookingProblems.ModeNotOffered;
        return SlotUnavailable(slot, nowUtc) is { } unavailable ? new Refusal(unavailable) : null;
    }

    /// <summary>Why nobody can book this slot now (closed, or past its cut-off), whoever they are; null when it is open.</summary>
    public static Problem? SlotUnavailable(Slot slot, DateTime nowUtc) =>
        slot.Status != SlotStatus.Open ? BookingProblems.SlotClosed
        : nowUtc > slot.CutoffAt ? BookingProblems.CutOffPassed
        : null;

    public static ServiceModes DefaultMode(ServiceModes offered) =>
        Enum.GetValues<ServiceModes>().First(m => m != ServiceModes.None && offered.HasFlag(m));

    private static bool IsSingleMode(ServiceModes mode) => mode != ServiceModes.None && (mode & (mode - 1)) == 0;

    /// <summary>
    /// A booking that waited for its payment (Requested) is confirmed by it, wherever it was paid (WeChat Pay's
    /// notification, the window): the history line, the status and the elder's confirmation, in the caller's batch
    /// (inside its transaction under the elder's lock; a tracked booking, whose earlier history need not be loaded).
    /// </summary>
    internal static void ConfirmPaid(Booking booking, Actor actor, DateTime now, string note, BookingReminders reminders)
    {
        booking.History.Add(Event(booking.Status, BookingStatus.Confirmed, actor, now, note));
        booking.Status = BookingStatus.Confirmed;
        booking.UpdatedAt = now;
        reminders.AddConfirmedAfterPayment(booking, now);
    }

    private static BookingEvent Event(BookingStatus? from, BookingStatus to, Actor actor, DateTime at, string? note) => new()
    {
        FromStatus = from, ToStatus = to, At = at, ActorKind = actor.HistoryKind, ActorId = actor.HistoryId, Channel = actor.Channel, Note = note,
    };

    private static string Hash(BookingRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.ElderId}|{request.SlotId}|{request.Mode}|{request.PayAtWindow}")));
}
