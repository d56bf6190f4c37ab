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

public enum RecipientKind { Elder, FamilyMember }

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
}

public static class Reach
{
    /// <summary>
    /// Which of an elder's channels a reminder of this kind uses: a check-in call is a phone call (or, without a phone,
    /// a visit the station plans); an unanswered check-in is a task for the station; anything else takes the elder's best.
    /// </summary>
    public static DeliveryChannel ElderChannel(ReminderKind kind, DeliveryChannel? preferred, bool hasWeChat, bool hasPhone) => kind switch
    {
        ReminderKind.CheckInCall => hasPhone ? DeliveryChannel.PhoneCall : DeliveryChannel.ConsoleTask,
        ReminderKind.CheckInUnanswered => DeliveryChannel.ConsoleTask,
        _ => ChannelsFor(preferred, hasWeChat, hasPhone)[0],
    };

    /// <summary>Bound family hear of everything but the check-in call itself (they hear if it goes unanswered).</summary>
    public static bool TellsFamily(ReminderKind kind) => kind != ReminderKind.CheckInCall;

    /// <summary>
    /// The channels that can reach an elder, best first: the one they asked for, then WeChat, then a phone call; the
    /// station's console is always last, since staff can always go round.
    /// </summary>
    public static IReadOnlyList<DeliveryChannel> ChannelsFor(DeliveryChannel? preferred, bool hasWeChat, bool hasPhone)
    {
        bool CanReceive(DeliveryChannel c) => c switch
        {
            DeliveryChannel.WeChat => hasWeChat,
            DeliveryChannel.PhoneCall => hasPhone,
            _ => true,
        };
        IEnumerable<DeliveryChannel> order = [DeliveryChannel.WeChat, DeliveryChannel.PhoneCall, DeliveryChannel.ConsoleTask];
        if (preferred is { } first) order = order.Where(c => c != first).Prepend(first);
        return order.Where(CanReceive).ToList();
    }
}
