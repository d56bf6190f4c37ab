namespace Eldercare.Api.Domain;

public enum MealPeriod { Lunch, Dinner }

public enum SlotStatus { Open, Closed }

/// <summary>
/// A weekly pattern of bookable capacity: every given weekday, this item on this resource from Start to End,
/// with Capacity places (portions for meals), bookable until CutoffTime on the day CutoffDaysBefore days earlier.
/// </summary>
public class SlotTemplate
{
    public int Id { get; set; }
    public int CatalogItemId { get; set; }
    public int ResourceId { get; set; }
    public DayOfWeek Weekday { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
    public MealPeriod? MealPeriod { get; set; }
    public int Capacity { get; set; }
    public int CutoffDaysBefore { get; set; }
    public TimeOnly CutoffTime { get; set; }
    public bool IsActive { get; set; } = true;
}

/// <summary>
/// Bookable capacity on one date: meal portions at a meal point for a period and menu, or a time slot of a
/// bathing room, home-bathing team, caregiver pool or doctor. <see cref="Booked"/> only changes through
/// conditional updates (booked &lt; capacity), so it can never exceed <see cref="Capacity"/>.
/// </summary>
public class Slot
{
    public long Id { get; set; }
    public int CatalogItemId { get; set; }
    public int ResourceId { get; set; }
    public int? TemplateId { get; set; }
    public DateOnly Date { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
    public MealPeriod? MealPeriod { get; set; }
    public int Capacity { get; set; }
    public int Booked { get; set; }
    /// <summary>The last instant (UTC) at which it can be booked or cancelled without staff.</summary>
    public DateTime CutoffAt { get; set; }
    public SlotStatus Status { get; set; }

    public int Remaining => Math.Max(0, Capacity - Booked);
}

/// <summary>
/// A resource out of service for a while (holiday, doctor away); its slots close at once and their bookings are then
/// cancelled or moved in the background, one booking per transaction, counted here as they go.
/// </summary>
public class Closure
{
    public int Id { get; set; }
    public int ResourceId { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public required string Reason { get; set; }
    public bool MoveBookings { get; set; }
    public DateTime CreatedAt { get; set; }
    public int CreatedByStaffId { get; set; }
    /// <summary>Bookings that held a place in the closed slots when the closure was made.</summary>
    public int BookingsAffected { get; set; }
    public int BookingsMoved { get; set; }
    public int BookingsCancelled { get; set; }
    /// <summary>When every affected booking had been moved or cancelled; null while that is still going on.</summary>
    public DateTime? SettledAt { get; set; }
}
