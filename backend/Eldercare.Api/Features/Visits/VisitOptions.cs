using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Domain;

namespace Eldercare.Api.Features.Visits;

/// <summary>Settings of the "Visits" section: where photos are kept, and the thresholds of the checks (SUPERVISION.md §3-4).</summary>
public sealed class VisitOptions
{
    /// <summary>The folder photos are stored in, by content (relative paths are under the working folder, next to the database).</summary>
    [Required] public string PhotoFolder { get; set; } = "data/photos";

    /// <summary>The largest photo taken, in bytes (a phone's camera photo, compressed by WeChat, is well under).</summary>
    [Range(10_000, 20_000_000)] public int MaxPhotoBytes { get; set; } = 5_000_000;

    /// <summary>A fix counts as at the elder's home within this many metres of it, plus the fix's own accuracy.</summary>
    [Range(50, 5000)] public double GeofenceMeters { get; set; } = 300;

    /// <summary>A fix less accurate than this is flagged.</summary>
    [Range(10, 1000)] public double FlagAccuracyMeters { get; set; } = 100;

    /// <summary>A fix less accurate than this places nothing and is not counted as a location.</summary>
    [Range(100, 10_000)] public double IgnoreAccuracyMeters { get; set; } = 1000;

    /// <summary>A visit shorter than this share of the booked time is too short.</summary>
    [Range(0.05, 1.0)] public double ShortShare { get; set; } = 0.5;

    /// <summary>A visit shorter than this is always too short.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")] public TimeSpan AlwaysShort { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A phone whose clock is further off than this is suspect.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")] public TimeSpan MaxClockError { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>A clock-in or out kept offline longer than this before it was sent is reviewed (and still taken).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "7.00:00:00")] public TimeSpan MaxOffline { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Two photos whose perceptual hashes differ in at most this many of 64 bits are the same picture.</summary>
    [Range(0, 20)] public int PhotoReuseBits { get; set; } = 10;

    /// <summary>A photo whose camera time is further than this from its clock-in or out contradicts it.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")] public TimeSpan PhotoTimeTolerance { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A visit not clocked out this long after its booked end (after its clock-in, when unscheduled) is missing its clock-out.</summary>
    [Range(typeof(TimeSpan), "00:30:00", "2.00:00:00")] public TimeSpan ClockOutDueAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How often elders are visited on patrol: high risk, key groups, and those who asked (SUPERVISION.md §2).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00")] public TimeSpan HighRiskEvery { get; set; } = TimeSpan.FromDays(7);
    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00")] public TimeSpan KeyGroupEvery { get; set; } = TimeSpan.FromDays(30);
    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00")] public TimeSpan OptedInEvery { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Patrols due within this many days show on the caregiver's list and the station's day (overdue ones always).</summary>
    [Range(0, 31)] public int PatrolsShownAheadDays { get; set; } = 7;

    public int PatrolEveryDays(PatrolTier tier) => (int)(tier switch
    {
        PatrolTier.HighRisk => HighRiskEvery, PatrolTier.KeyGroup => KeyGroupEvery, _ => OptedInEvery,
    }).TotalDays;

    /// <summary>A visit's record locks this many days after the visit; after that only an officer's unlock lets it change.</summary>
    [Range(1, 3650)] public int LockAfterDays { get; set; } = 95;

    /// <summary>How long an officer's unlock lasts.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")] public TimeSpan UnlockFor { get; set; } = TimeSpan.FromDays(7);

    public VisitRules Rules => new(GeofenceMeters, FlagAccuracyMeters, IgnoreAccuracyMeters, ShortShare, AlwaysShort, MaxClockError, MaxOffline,
        PhotoReuseBits, PhotoTimeTolerance);
}
