namespace Eldercare.Api.Domain;

public enum BookingStatus { Requested, Confirmed, Assigned, InService, Completed, Rated, Cancelled, NoShow, Rejected }

/// <summary>The channel a request came through.</summary>
public enum Channel { MiniProgram, Window, Hotline, HomeTerminal, System }

/// <summary>Who acted: the elder, a bound family member, a clerk or manager, a hotline agent, the IVR, or the hub itself.</summary>
public enum ActorKind { Elder, FamilyMember, Staff, HotlineAgent, Ivr, System }

/// <summary>One booking of one elder into one slot, with the terms and price it was made under.</summary>
public class Booking
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public long SlotId { get; set; }
    public int CatalogItemId { get; set; }
    public int CatalogVersion { get; set; }
    public ServiceLine Line { get; set; }
    public required string ServiceName { get; set; }
    public int ResourceId { get; set; }
    public DateOnly Date { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
    public MealPeriod? MealPeriod { get; set; }
    public ServiceModes Mode { get; set; }
    public BookingStatus Status { get; set; }
    /// <summary>The caregiver sent on a visit at home (set when the station manager assigns it).</summary>
    public int? CaregiverId { get; set; }
    public Channel Channel { get; set; }
    public ActorKind BookedByKind { get; set; }
    public int? BookedById { get; set; }
    public long ListPriceFen { get; set; }
    public long SubsidyFen { get; set; }
    public long PayableFen { get; set; }
    /// <summary>What the elder has paid of <see cref="PayableFen"/> (back to 0 once refunded).</summary>
    public long PaidFen { get; set; }
    /// <summary>A booking waiting for payment (Requested) holds its place until then; null on bookings from before it was kept (their window counts from CreatedAt).</summary>
    public DateTime? PayBy { get; set; }
    /// <summary>The elder pays at the station's window (WeChat Pay is not set up, or they chose to) rather than in WeChat.</summary>
    public bool PayAtWindow { get; set; }
    public string? CancelReason { get; set; }
    /// <summary>The elder's or family's rating of a completed service, 1-5, and what they said.</summary>
    public int? RatingScore { get; set; }
    public string? RatingComment { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<BookingEvent> History { get; set; } = [];

    /// <summary>Statuses in which the booking still holds its place and the elder's time.</summary>
    public static readonly BookingStatus[] Holding = [BookingStatus.Requested, BookingStatus.Confirmed, BookingStatus.Assigned, BookingStatus.InService];

    private static readonly Dictionary<BookingStatus, BookingStatus[]> Allowed = new()
    {
        [BookingStatus.Requested] = [BookingStatus.Confirmed, BookingStatus.Rejected, BookingStatus.Cancelled],
        // A station may still reject a confirmed booking it cannot serve safely (e.g. the assessment does not fit).
        [BookingStatus.Confirmed] = [BookingStatus.Assigned, BookingStatus.InService, BookingStatus.Cancelled, BookingStatus.NoShow, BookingStatus.Rejected],
        [BookingStatus.Assigned] = [BookingStatus.InService, BookingStatus.Cancelled, BookingStatus.NoShow, BookingStatus.Rejected],
        [BookingStatus.InService] = [BookingStatus.Completed],
        [BookingStatus.Completed] = [BookingStatus.Rated],
    };

    public static bool CanMove(BookingStatus from, BookingStatus to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>
    /// The same, for a booking of a service line: a meal handed over at the counter arrives and is served in one step
    /// (Confirmed → Completed); every other service begins (InService) before it is completed.
    /// </summary>
    public static bool CanMove(BookingStatus from, BookingStatus to, ServiceLine line) =>
        CanMove(from, to) || (line == ServiceLine.Meals && from == BookingStatus.Confirmed && to == BookingStatus.Completed);

    /// <summary>Statuses in which the booking has been served (what the funders pay for).</summary>
    public static readonly BookingStatus[] Served = [BookingStatus.Completed, BookingStatus.Rated];

    /// <summary>Statuses from which a booking may still be cancelled, as the state machine says.</summary>
    public static readonly BookingStatus[] Cancellable = Allowed.Keys.Where(s => CanMove(s, BookingStatus.Cancelled)).ToArray();

    /// <summary>Two services of an elder clash when their times overlap; meals clash only with a meal of the same period.</summary>
    public bool ClashesWith(ServiceLine line, DateOnly date, TimeOnly start, TimeOnly end, MealPeriod? period)
    {
        if (Date != date) return false;
        if (Line == ServiceLine.Meals || line == ServiceLine.Meals)
            return Line == ServiceLine.Meals && line == ServiceLine.Meals && MealPeriod == period;
        return Start < end && start < End;
    }
}

/// <summary>An append-only line of a booking's history.</summary>
public class BookingEvent
{
    public long Id { get; set; }
    public long BookingId { get; set; }
    public BookingStatus? FromStatus { get; set; }
    public BookingStatus ToStatus { get; set; }
    public DateTime At { get; set; }
    public ActorKind ActorKind { get; set; }
    public int? ActorId { get; set; }
    public Channel Channel { get; set; }
    public string? Note { get; set; }
}

/// <summary>Remembers which booking an Idempotency-Key produced, so a retried request never books twice.</summary>
public class IdempotencyRecord
{
    public long Id { get; set; }
    /// <summary>Whose key it is (e.g. "Family:12"): keys of different callers never collide.</summary>
    public required string Scope { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public long BookingId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum WaitlistStatus { Waiting, Promoted, Cancelled, Expired }

/// <summary>An elder waiting for a place in a full slot. Protected groups are promoted first, then first come.</summary>
public class WaitlistEntry
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public long SlotId { get; set; }
    public int PriorityTier { get; set; }
    public WaitlistStatus Status { get; set; }
    public ServiceModes Mode { get; set; }
    public Channel Channel { get; set; }
    public ActorKind RequestedByKind { get; set; }
    public int? RequestedById { get; set; }
    public long? BookingId { get; set; }
    public string? Outcome { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum MealPlanStatus { Active, Paused, Ended }

/// <summary>A standing meal order (e.g. lunch every weekday), turned into bookings before each cut-off.</summary>
public class MealPlan
{
    public int Id { get; set; }
    public int ElderId { get; set; }
    /// <summary>ISO weekdays as flags: bit 1 = Monday ... bit 7 = Sunday.</summary>
    public int Weekdays { get; set; }
    public MealPeriod Period { get; set; }
    public int MenuItemId { get; set; }
    public int ResourceId { get; set; }
    public ServiceModes Mode { get; set; }
    public MealPlanStatus Status { get; set; }
    public Channel Channel { get; set; }
    public ActorKind CreatedByKind { get; set; }
    public int? CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool RunsOn(DateOnly day) => (Weekdays & (1 << IsoWeekday(day))) != 0;

    public static int IsoWeekday(DateOnly day) => IsoWeekday(day.DayOfWeek);

    /// <summary>1 = Monday ... 7 = Sunday, as elders and staff count the week.</summary>
    public static int IsoWeekday(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;
}

/// <summary>Cash, card and WeChatScan are taken at the window; WeChatPay is paid by the elder or family in the mini-program.</summary>
public enum PaymentMethod { Cash, Card, WeChatScan, WeChatPay }

public enum PaymentKind { Payment, Refund }

/// <summary>
/// Money taken for a booking's self-paid part, or given back when it is cancelled. One payment and at most one
/// refund per booking (a unique index), so a double-clicked "收款" cannot charge twice.
/// </summary>
public class Payment
{
    public long Id { get; set; }
    public long BookingId { get; set; }
    public int ElderId { get; set; }
    public PaymentKind Kind { get; set; }
    public PaymentMethod Method { get; set; }
    /// <summary>Positive for a payment, negative for a refund.</summary>
    public long AmountFen { get; set; }
    public int? StationId { get; set; }
    public int? StaffAccountId { get; set; }
    public DateTime At { get; set; }
    /// <summary>
    /// When a refund reached the payer: WeChat Pay accepted it (sent by <c>WeChatRefunds</c>), or the station handed the
    /// cash back (or reversed the card or scan payment) and recorded it. Null while it is still owed.
    /// </summary>
    public DateTime? SettledAt { get; set; }
    /// <summary>Who at the station handed a refund back; null for WeChat Pay refunds and while owed.</summary>
    public int? SettledByStaffId { get; set; }

    /// <summary>The number printed on the receipt: station, Beijing day and the payment's id.</summary>
    public string ReceiptNumber(DateOnly day) => $"{StationId ?? 0:00}{day:yyyyMMdd}{Id:000000}";
}

/// <summary>
/// A disagreement the nightly reconciliation found in the books (money, places, subsidies), for the station that
/// provides the service to look into and close with what was done; officers see every station's.
/// </summary>
public class ReconciliationFinding
{
    public long Id { get; set; }
    public DateTime FoundAt { get; set; }
    /// <summary>money, cancelled-holds-money, cancelled-holds-subsidy, place-count, paid-but-waiting.</summary>
    public required string Kind { get; set; }
    public int StationId { get; set; }
    public long? BookingId { get; set; }
    public long? SlotId { get; set; }
    public required string Detail { get; set; }
    public DateTime? ClosedAt { get; set; }
    public int? ClosedByStaffId { get; set; }
    public string? Note { get; set; }
}
