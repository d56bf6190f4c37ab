namespace Eldercare.Api.Domain;

public enum ReminderKind
{
    BookingConfirmed, BookingCancelled, BookingMoved, WaitlistPromoted,
    /// <summary>The evening before a service.</summary>
    BookingEveningBefore,
    /// <summary>A couple of hours before a service.</summary>
    BookingSoon,
    /// <summary>The daily check-in call to an elder on the patrol list (巡视探访 by phone).</summary>
    CheckInCall,
    /// <summary>Nobody answered the day's check-in calls: family and the station must look in.</summary>
    CheckInUnanswered,
    /// <summary>An elder who usually orders a meal has none yet today, and the cut-off is near.</summary>
    MealOrderDue,
    /// <summary>A booking waiting for payment was released when its payment window closed.</summary>
    UnpaidBookingReleased,
    /// <summary>A service was done: the elder and family are asked to rate it.</summary>
    ServiceCompleted,
    /// <summary>The elder pressed 9 on the hotline: the station must act at once, the family is told.</summary>
    Emergency,
    /// <summary>The elder asked the hotline for a person (or pressed 0 in a check-in call): a task for the station.</summary>
    HelpRequested,
    /// <summary>The elder asked for a person and nobody answered: the hotline calls the elder back and puts them through.</summary>
    CallBack,
    /// <summary>A caregiver clocked out of a home visit: the elder (or family) is asked whether it was done, and to rate it.</summary>
    VisitConfirmation,
    /// <summary>The elder said a home visit was not done: a task for the station, the visit goes to review.</summary>
    VisitDisputed,
}

public enum ReminderStatus { Pending, Dispatching, Sent, Cancelled }

/// <summary>
/// Something an elder (and their bound family) must be told, and when. Reminder rows are the source of truth: the
/// dispatcher claims due ones for a short lease, turns each into deliveries on the recipients' channels and marks it
/// Sent in the same transaction, so a reminder is never lost (an expired lease is claimed again) and never delivered
/// twice (a delivery is unique per reminder, recipient and channel).
/// </summary>
public class Reminder
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public ReminderKind Kind { get; set; }
    public long? BookingId { get; set; }
    public required string Text { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime DueAt { get; set; }
    public ReminderStatus Status { get; set; }
    /// <summary>How many times a dispatcher claimed it (more than one means a node died or fell behind mid-dispatch).</summary>
    public int Attempts { get; set; }
    /// <summary>The claim of the dispatcher working on it, and until when that claim holds.</summary>
    public string? ClaimToken { get; set; }
    public DateTime? ClaimExpiresAt { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }

    public static readonly ReminderKind[] BeforeService = [ReminderKind.BookingEveningBefore, ReminderKind.BookingSoon];
}

/// <summary>How a person can be reached, in the order the dispatcher tries them when nothing else decides.</summary>
public enum DeliveryChannel
{
    /// <summary>A WeChat subscribe message (elders who use WeChat, bound family).</summary>
    WeChat,
    /// <summary>An outbound call from the hotline, which reads the text aloud (elders without WeChat).</summary>
    PhoneCall,
    /// <summary>A task in the station's console: staff follow up in person or by phone (when nothing else reached the elder).</summary>
    ConsoleTask,
}

/// <summary>Who a delivery is for: the elder, a bound family member, or one of the elder's emergency contacts (called in an emergency).</summary>
public enum RecipientKind { Elder, FamilyMember, EmergencyContact }

public enum DeliveryStatus { Queued, Delivered, Failed }

/// <summary>
/// One reminder for one recipient on one channel: the hand-over to the channel's sender (the WeChat client, the
/// hotline's dialler, the staff console). When a channel fails, the next channel gets a delivery of its own.
/// </summary>
public class Delivery
{
    public long Id { get; set; }
    public long ReminderId { get; set; }
    public int ElderId { get; set; }
    public RecipientKind RecipientKind { get; set; }
    /// <summary>The elder's or family member's id.</summary>
    public int RecipientId { get; set; }
    public DeliveryChannel Channel { get; set; }
    public required string Text { get; set; }
    public DeliveryStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public string? FailReason { get; set; }
    /// <summary>Failed tries so far of a delivery that is tried again (a reminder call nobody answered).</summary>
    public int Tries { get; set; }
    /// <summary>A delivery waiting to be tried again is not handed to its channel before this.</summary>
    public DateTime? NotBefore { get; set; }

    /// <summary>A new delivery of a reminder's text to one recipient on one channel, waiting for the channel's sender.</summary>
    public static Delivery Queued(long reminderId, int elderId, string text, RecipientKind recipientKind, int recipientId, DeliveryChannel channel, DateTime now) => new()
    {
        ReminderId = reminderId, ElderId = elderId, Text = text, RecipientKind = recipientKind, RecipientId = recipientId,
        Channel = channel, Status = DeliveryStatus.Queued, CreatedAt = now,
    };
}

public static class Reach
{
    /// <summary>Bound family hear of everything but the check-in call itself (they hear if it goes unanswered).</summary>
    public static bool TellsFamily(ReminderKind kind) => kind is not (ReminderKind.CheckInCall or ReminderKind.HelpRequested or ReminderKind.CallBack or ReminderKind.VisitDisputed);

    /// <summary>
    /// The channels that can bring a reminder of this kind to an elder, best first; the dispatcher uses the first, and a
    /// failed channel falls back to the next. Usually: the one they asked for, then WeChat, then a phone call, and the
    /// station's console last, since staff can always go round. A check-in call is a call (or, without a phone, a visit
    /// the station plans); an unanswered check-in is a task for the station only, never a message to the elder.
    /// </summary>
    public static IReadOnlyList<DeliveryChannel> ChannelsFor(ReminderKind kind, DeliveryChannel? preferred, bool hasWeChat, bool hasPhone)
    {
        bool CanReceive(DeliveryChannel c) => c switch
        {
            DeliveryChannel.WeChat => hasWeChat,
            DeliveryChannel.PhoneCall => hasPhone,
            _ => true,
        };
        IEnumerable<DeliveryChannel> order = kind switch
        {
            ReminderKind.CheckInCall => [DeliveryChannel.PhoneCall, DeliveryChannel.ConsoleTask],
            ReminderKind.CheckInUnanswered or ReminderKind.Emergency or ReminderKind.HelpRequested or ReminderKind.VisitDisputed => [DeliveryChannel.ConsoleTask],
            ReminderKind.CallBack => [DeliveryChannel.PhoneCall],
            _ => preferred is { } first
                ? new[] { DeliveryChannel.WeChat, DeliveryChannel.PhoneCall, DeliveryChannel.ConsoleTask }.Where(c => c != first).Prepend(first)
                : [DeliveryChannel.WeChat, DeliveryChannel.PhoneCall, DeliveryChannel.ConsoleTask],
        };
        return order.Where(CanReceive).ToList();
    }
}
