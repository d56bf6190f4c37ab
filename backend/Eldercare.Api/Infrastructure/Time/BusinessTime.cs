namespace Eldercare.Api.Infrastructure.Time;

/// <summary>
/// Business dates and times are those of Asia/Shanghai (meal cut-offs, slot times, "today at this station").
/// Instants are stored in UTC; convert only at the edge where a date or a wall-clock time is meant.
/// </summary>
public static class BusinessTime
{
    public static readonly TimeZoneInfo Zone = FindZone();

    public static DateTime ToBusinessTime(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(ToBusinessTime(clock.GetUtcNow().UtcDateTime));

    public static DateTime BusinessNow(this TimeProvider clock) => ToBusinessTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The UTC instant of a Shanghai date and wall-clock time.</summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly time) =>
        TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(time, DateTimeKind.Unspecified), Zone);

    /// <summary>The UTC instants a Shanghai date begins and ends (the end is the next day's beginning).</summary>
    public static (DateTime Start, DateTime End) DayInUtc(DateOnly date) => (ToUtc(date, TimeOnly.MinValue), ToUtc(date.AddDays(1), TimeOnly.MinValue));

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"); }
        // A machine without tzdata: China has kept UTC+8 without daylight saving since 1991.
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "CST"); }
    }
}
