using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Domain;

namespace Eldercare.Api.Features.Reminders;

/// <summary>Settings of the "Reminders" section.</summary>
public sealed class ReminderOptions
{
    /// <summary>How often each dispatch lane looks for due reminders.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")] public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Dispatch jobs that may run at once, on any node of the cluster.</summary>
    [Range(1, 16)] public int DispatchLanes { get; set; } = 2;

    /// <summary>Reminders claimed and handed over per transaction.</summary>
    [Range(1, 5000)] public int BatchSize { get; set; } = 500;

    /// <summary>How long a claim holds: a node that dies mid-dispatch leaves its reminders to another node after this.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "01:00:00")] public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a day's check-in call is tried before family and the station are alerted.</summary>
    [Range(1, 10)] public int CheckInTries { get; set; } = 3;

    /// <summary>How long after an unanswered check-in call it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "02:00:00")] public TimeSpan CheckInRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times a reminder call (to an elder without WeChat) is tried before the station is asked to pass it on.</summary>
    [Range(1, 10)] public int ReminderCallTries { get; set; } = 3;

    /// <summary>How long after an unanswered reminder call it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "02:00:00")] public TimeSpan ReminderCallRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after an elder asked the hotline for a person, and nobody answered, the hotline calls them back.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00")] public TimeSpan CallBackAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long before a meal's order cut-off elders who usually order, and have not yet, are reminded.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "06:00:00")] public TimeSpan MealOrderLead { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An elder "usually orders" a meal who had at least this many of it in the last two weeks.</summary>
    [Range(1, 14)] public int MealOrderUsualCount { get; set; } = 3;

    /// <summary>
    /// When elders are reminded of a booked service, per service line: in the evening before (Beijing time) and some
    /// time before it starts. Set either to an empty value to skip it (the defaults below apply to what configuration leaves out).
    /// </summary>
    public Dictionary<ServiceLine, BeforeServiceTimes> BeforeService { get; set; } = new()
    {
        [ServiceLine.Meals] = new() { LeadTime = TimeSpan.FromHours(1) },
        [ServiceLine.Bathing] = new() { EveningBefore = new TimeOnly(19, 0), LeadTime = TimeSpan.FromHours(2) },
        [ServiceLine.Cleaning] = new() { EveningBefore = new TimeOnly(19, 0), LeadTime = TimeSpan.FromHours(2) },
        [ServiceLine.Medical] = new() { EveningBefore = new TimeOnly(19, 0), LeadTime = TimeSpan.FromHours(2) },
    };
}

public sealed class BeforeServiceTimes
{
    public TimeOnly? EveningBefore { get; set; }
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")] public TimeSpan? LeadTime { get; set; }
}
