namespace Eldercare.Api.Domain;

public enum EmergencyStatus { Open, Closed }

/// <summary>An elder asked for help in an emergency (key 9 on the hotline): open until station staff close it with what they did.</summary>
public class EmergencyCase
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public int StationId { get; set; }
    public required string Source { get; set; }
    public string? CallId { get; set; }
    public EmergencyStatus Status { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public int? ClosedByStaffId { get; set; }
    public string? Note { get; set; }
}

public enum CallDirection { Inbound, Outbound }

/// <summary>One hotline call: who called (or was called), which elder, the keys and steps, how it ended and how long it took.</summary>
public class CallRecord
{
    public long Id { get; set; }
    public required string CallId { get; set; }
    public CallDirection Direction { get; set; }
    public string? Number { get; set; }
    public int? ElderId { get; set; }
    public required string Path { get; set; }
    public required string Outcome { get; set; }
    public DateTime StartedAt { get; set; }
    public int DurationSeconds { get; set; }
}

/// <summary>Where an elder asked for a person: a call in, the one-key terminal, a check-in call, another call out (a reminder, a call back).</summary>
public enum HelpSource { Inbound, Terminal, CheckIn, CallOut }

/// <summary>
/// An elder asked the hotline for a person: from the menu or a check-in call, and whether anyone answered. One per
/// call; it becomes a task for the station and, when nobody answered, a call back.
/// </summary>
public class HelpRequest
{
    public long Id { get; set; }
    public required string CallId { get; set; }
    public int ElderId { get; set; }
    public HelpSource Source { get; set; }
    public bool PersonReached { get; set; }
    public DateTime RequestedAt { get; set; }
    /// <summary>When the hotline calls the elder back (null when a person was reached).</summary>
    public DateTime? CallBackAt { get; set; }
}
