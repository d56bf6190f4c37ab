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
