namespace Eldercare.Api.Domain;

/// <summary>
/// InProgress: clocked in, not yet out. Verified: its evidence agreed (or a manager accepted it). NeedsReview: some
/// evidence disagreed, see <see cref="Visit.ReviewReasons"/>. Rejected: a manager found it was not delivered as
/// recorded; it is not payable and its subsidy went back.
/// </summary>
public enum VisitStatus { InProgress, Verified, NeedsReview, Rejected }

/// <summary>A booked home visit, a patrol visit (巡视探访) the schedule gave, or one recorded at an elder's door without either (to be explained).</summary>
public enum VisitKind { Booked, Unscheduled, Patrol }

/// <summary>Why an elder is visited on patrol, and so how often (SUPERVISION.md §2).</summary>
public enum PatrolTier { HighRisk, KeyGroup, OptedIn }

/// <summary>
/// A patrol visit due for an elder by a date, assigned to one of the station's caregivers; done once a visit records it.
/// One open patrol per elder at a time: the next is scheduled from the day the last was done.
/// </summary>
public class Patrol
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public int StationId { get; set; }
    public PatrolTier Tier { get; set; }
    public DateOnly DueBy { get; set; }
    public int? CaregiverId { get; set; }
    public long? VisitId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DoneAt { get; set; }

    /// <summary>
    /// High risk: 80 or older and living alone or in an empty nest. Key groups: disabled, demented, destitute, severely
    /// disabled, 计划生育特殊家庭. Anyone else who asked for visits (举手制). Others get none.
    /// </summary>
    public static PatrolTier? TierOf(ElderGroups groups, bool optedIn) =>
        groups.HasFlag(ElderGroups.Aged80Plus) && (groups & (ElderGroups.LivingAlone | ElderGroups.EmptyNest)) != 0 ? PatrolTier.HighRisk
        : (groups & (ElderGroups.Disabled | ElderGroups.Demented | ElderGroups.Destitute | ElderGroups.SeverelyDisabled | ElderGroups.LostOnlyChild)) != 0 ? PatrolTier.KeyGroup
        : optedIn ? PatrolTier.OptedIn : null;
}

/// <summary>
/// A visit at an elder's home as the caregiver recorded it: the six elements of electronic visit verification (service,
/// recipient, caregiver, date, place, start and end), the fixes and photos at the door, the checklist done, and what
/// the checks made of it. Start and end are the moments the caregiver captured them, corrected for the phone's clock.
/// </summary>
public class Visit
{
    public long Id { get; set; }
    public VisitKind Kind { get; set; }
    public long? BookingId { get; set; }
    /// <summary>The patrol this visit did (patrol visits only).</summary>
    public long? PatrolId { get; set; }
    public int ElderId { get; set; }
    public int CaregiverId { get; set; }
    /// <summary>The station whose caregiver went (it answers for the visit and reviews it).</summary>
    public int StationId { get; set; }
    /// <summary>The service line of a booked or unscheduled visit; none for a patrol.</summary>
    public ServiceLine? Line { get; set; }
    public required string ServiceName { get; set; }
    /// <summary>The Beijing day of the visit.</summary>
    public DateOnly Date { get; set; }
    /// <summary>What was booked, for the short-visit check (null for an unscheduled visit).</summary>
    public TimeOnly? BookedStart { get; set; }
    public TimeOnly? BookedEnd { get; set; }
    public VisitFix ClockIn { get; set; } = null!;
    public VisitFix? ClockOut { get; set; }
    /// <summary>Checklist items ticked at clock-out, by their codes (e.g. kitchen, bathroom).</summary>
    public string? ChecklistDone { get; set; }
    public string? Note { get; set; }
    /// <summary>Something the elder asked for during the visit, for the station to follow up.</summary>
    public string? NewNeed { get; set; }
    /// <summary>A patrol's short check: how the elder seemed (good, fair, poor) and whether the home looked safe.</summary>
    public string? PatrolMood { get; set; }
    public bool? PatrolHomeSafe { get; set; }
    /// <summary>A delivered meal handed over against the elder's meal code, scanned or typed at the door.</summary>
    public bool MealCodeScanned { get; set; }
    public VisitStatus Status { get; set; }
    /// <summary>Why the checks did not verify it, as codes (<see cref="VisitReasons"/>), comma-separated.</summary>
    public string? ReviewReasons { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public int? ResolvedByStaffId { get; set; }
    /// <summary>What explains the exception (<see cref="VisitResolution.Reasons"/>) and what the manager did (<see cref="VisitResolution.Resolutions"/>).</summary>
    public string? ResolutionReason { get; set; }
    public string? Resolution { get; set; }
    public string? ResolutionNote { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>SHA-256 over the core fields (<see cref="VisitSeal"/>), written with every change the hub makes: a change made behind its back shows.</summary>
    public string? IntegrityHash { get; set; }
    /// <summary>An officer's unlock of a locked record, until when, by whom and why.</summary>
    public DateTime? UnlockedUntil { get; set; }
    public int? UnlockedByStaffId { get; set; }
    public string? UnlockReason { get; set; }

    public IReadOnlyList<string> Reasons => ReviewReasons is { Length: > 0 } r ? r.Split(',') : [];
}

/// <summary>
/// One clock-in or clock-out as the phone captured it: where (gcj02, as WeChat gives it, with the fix's accuracy),
/// the photo, and three times: when it was captured and when it was sent by the phone's clock, and when it arrived
/// by the server's. Sent-versus-arrived is the phone's clock error; captured-versus-sent is how long it waited offline.
/// </summary>
public class VisitFix
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public double? AccuracyMeters { get; set; }
    public long? PhotoId { get; set; }
    public DateTime CapturedAt { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime ArrivedAt { get; set; }

    /// <summary>How far the phone's clock is ahead of the server's (negative: behind).</summary>
    public TimeSpan ClockError => SentAt - ArrivedAt;

    /// <summary>When it really happened: the phone's capture time, corrected by its clock error.</summary>
    public DateTime HappenedAt => CapturedAt - ClockError;

    /// <summary>How long the phone kept it before it reached the server (offline).</summary>
    public TimeSpan HeldOffline => SentAt - CapturedAt;

    /// <summary>Where, in WGS-84 as files keep it (the fix itself is GCJ-02, as WeChat gives it).</summary>
    public GeoPoint? Point => Latitude is { } lat && Longitude is { } lon ? ChinaDatum.ToWgs84(new GeoPoint(lat, lon)) : null;
}

public enum ConfirmationChannel { MiniProgram, Phone, Window, HomeTerminal }

/// <summary>
/// The elder's (or a bound family member's) word on a visit after it: done or not, and a rating. Kept as said, one row
/// each time; the latest counts. "Not done" sends the visit to review and gives the station a task.
/// </summary>
public class VisitConfirmation
{
    public long Id { get; set; }
    public long VisitId { get; set; }
    public bool Done { get; set; }
    public int? Rating { get; set; }
    public ConfirmationChannel Channel { get; set; }
    /// <summary>Who said it: "Elder:8", "Family:3", "Staff:12" (at the window), "Service:1" (the hotline's call).</summary>
    public required string By { get; set; }
    public DateTime At { get; set; }
}

/// <summary>
/// The state of a clocked-out visit before a change (a settlement, the elder's "not done", a correction): the record as
/// it was, its hash, and who changed it, when and why. Appended, never changed: the original stays readable.
/// </summary>
public class VisitRevision
{
    public long Id { get; set; }
    public long VisitId { get; set; }
    public int Number { get; set; }
    /// <summary>The core fields as they were (<see cref="VisitSeal.Canonical"/>, JSON).</summary>
    public required string Before { get; set; }
    public required string BeforeHash { get; set; }
    public required string ChangedBy { get; set; }
    public DateTime ChangedAt { get; set; }
    public required string Why { get; set; }
}

/// <summary>The integrity hash of a visit: SHA-256 over its core fields written in one fixed order.</summary>
public static class VisitSeal
{
    public static string Canonical(Visit v) => System.Text.Json.JsonSerializer.Serialize(new object?[]
    {
        v.Kind.ToString(), v.BookingId, v.PatrolId, v.ElderId, v.CaregiverId, v.StationId, v.Line?.ToString(), v.ServiceName, v.Date.ToString("O"),
        v.BookedStart?.ToString("O"), v.BookedEnd?.ToString("O"), Fix(v.ClockIn), v.ClockOut is { } o ? Fix(o) : null, v.ChecklistDone, v.Note, v.NewNeed,
        v.PatrolMood, v.PatrolHomeSafe, v.MealCodeScanned, v.Status.ToString(), v.ReviewReasons, v.ResolutionReason, v.Resolution, v.ResolutionNote, v.ResolvedByStaffId,
    });

    public static string Hash(Visit v) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Canonical(v))));

    private static object?[] Fix(VisitFix f) => [f.Latitude, f.Longitude, f.AccuracyMeters, f.PhotoId, Instant(f.CapturedAt), Instant(f.SentAt), Instant(f.ArrivedAt)];

    /// <summary>To the microsecond: what PostgreSQL keeps of an instant (SQLite keeps more), so a hash reads back the same on both.</summary>
    private static string Instant(DateTime at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A photo taken at a visit, stored once by its content (SHA-256), with what the checks need of it.</summary>
public class VisitPhoto
{
    public long Id { get; set; }
    public required string Sha256 { get; set; }
    public required string ContentType { get; set; }
    public long Bytes { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    /// <summary>A 64-bit difference hash of the picture: a re-encoded or resized copy differs from it in a few bits only.</summary>
    public long PerceptualHash { get; set; }
    /// <summary>The camera's own time (EXIF, Beijing time without a zone, stored as UTC) and place, if the photo carries them.</summary>
    public DateTime? ExifTakenAt { get; set; }
    public double? ExifLatitude { get; set; }
    public double? ExifLongitude { get; set; }
    public int StationId { get; set; }
    public int UploadedByStaffId { get; set; }
    public DateTime UploadedAt { get; set; }
}

/// <summary>Who read a visit's photo and when (photos show elders and their homes).</summary>
public class VisitPhotoRead
{
    public long Id { get; set; }
    public long PhotoId { get; set; }
    public required string Reader { get; set; }
    public DateTime ReadAt { get; set; }
}

/// <summary>The codes a visit's review gives, with the words a manager reads.</summary>
public static class VisitReasons
{
    public const string OutsideGeofence = "outside-geofence";
    public const string PoorAccuracy = "poor-accuracy";
    public const string NoLocation = "no-location";
    public const string NoPhoto = "no-photo";
    public const string MissingClockOut = "missing-clock-out";
    public const string TooShort = "too-short";
    public const string ClockSkew = "clock-skew";
    public const string LateUpload = "late-upload";
    public const string PhotoReused = "photo-reused";
    public const string PhotoContradicts = "photo-contradicts";
    public const string ElderSaysNotDone = "elder-says-not-done";
    public const string Unqualified = "unqualified";
    public const string Overlap = "overlap";
    public const string Unscheduled = "unscheduled";
    public const string Substitute = "substitute";

    public static readonly IReadOnlyDictionary<string, string> Words = new Dictionary<string, string>
    {
        [OutsideGeofence] = "打卡位置不在老人家附近",
        [PoorAccuracy] = "定位精度差",
        [NoLocation] = "没有可用的定位",
        [NoPhoto] = "没有现场照片",
        [MissingClockOut] = "没有签退",
        [TooShort] = "服务时间明显短于预约",
        [ClockSkew] = "手机时间不准",
        [LateUpload] = "离线记录很久以后才上传",
        [PhotoReused] = "照片与以前的服务照片重复",
        [PhotoContradicts] = "照片的拍摄时间或地点与打卡不符",
        [ElderSaysNotDone] = "老人说服务没有完成",
        [Unqualified] = "护理员没有这项服务的资质",
        [Overlap] = "护理员同一时间还有别的服务",
        [Unscheduled] = "没有预约的上门服务",
        [Substitute] = "不是派单的护理员上门",
    };
}

/// <summary>How a manager settles a visit that needs review: what explains it, and what they did about it.</summary>
public static class VisitResolution
{
    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>
    {
        ["location-drift"] = "定位偏差",
        ["device-fault"] = "设备故障",
        ["substitute-caregiver"] = "临时换人",
        ["escorted-outside"] = "老人在外就医陪同",
        ["forgot-clock-out"] = "忘记签退",
        ["elder-request"] = "老人要求提前结束",
        ["not-delivered"] = "服务未提供",
        ["other"] = "其他",
    };

    /// <summary>Each resolution and whether the visit then counts as delivered.</summary>
    public static readonly IReadOnlyDictionary<string, (string Words, bool Delivered)> Resolutions = new Dictionary<string, (string, bool)>
    {
        ["phoned-elder"] = ("已电话向老人核实", true),
        ["visited-elder"] = ("已上门核实", true),
        ["evidence-checked"] = ("已核对其他证据", true),
        ["rejected"] = ("驳回", false),
    };
}

/// <summary>What a caregiver ticks at clock-out, per service line: codes and the words on the phone.</summary>
public static class VisitChecklists
{
    private static readonly Dictionary<ServiceLine, IReadOnlyDictionary<string, string>> Items = new()
    {
        [ServiceLine.Cleaning] = new Dictionary<string, string> { ["kitchen"] = "厨房", ["bathroom"] = "卫生间", ["floors"] = "地面", ["rubbish"] = "倒垃圾" },
        [ServiceLine.Bathing] = new Dictionary<string, string>
        {
            ["safety-check"] = "洗前安全检查（水温、防滑、血压）", ["bath"] = "协助洗浴", ["skin"] = "观察皮肤（压疮、破损）", ["dressing"] = "协助穿衣",
        },
        [ServiceLine.Medical] = new Dictionary<string, string>
        {
            ["vitals"] = "测量血压血糖", ["medication"] = "核对用药", ["escort"] = "陪同就医", ["advice"] = "健康指导",
        },
        [ServiceLine.Meals] = new Dictionary<string, string> { ["handed-over"] = "餐食交到老人手中", ["warm"] = "餐食温热完好" },
    };

    /// <summary>A line's checklist; a patrol has its own short check instead, and no list.</summary>
    public static IReadOnlyDictionary<string, string> For(ServiceLine? line) => line is { } l ? Items[l] : new Dictionary<string, string>();

    public static string LineWords(ServiceLine? line) => line switch
    {
        ServiceLine.Meals => "送餐", ServiceLine.Bathing => "助浴", ServiceLine.Cleaning => "保洁", ServiceLine.Medical => "助医", _ => "巡视探访",
    };

    /// <summary>How an elder seemed on a patrol, in the caregiver's words.</summary>
    public static readonly IReadOnlyDictionary<string, string> Moods = new Dictionary<string, string> { ["good"] = "精神好", ["fair"] = "一般", ["poor"] = "不太好" };
}

/// <summary>The settings the checks use (Visits section of the configuration).</summary>
public sealed record VisitRules(
    double GeofenceMeters, double FlagAccuracyMeters, double IgnoreAccuracyMeters, double ShortShare, TimeSpan AlwaysShort,
    TimeSpan MaxClockError, TimeSpan MaxOffline, int PhotoReuseBits, TimeSpan PhotoTimeTolerance);

/// <summary>What the checks know of a finished visit, beyond the visit itself.</summary>
public sealed record VisitEvidence(
    GeoPoint? Home, VisitPhoto? ClockInPhoto, VisitPhoto? ClockOutPhoto, bool PhotoReused, bool CaregiverQualified, bool OverlapsAnother, bool MealCodeScanned = false);

public static class VisitChecks
{
    /// <summary>
    /// The reasons a clocked-out visit needs review; none means verified. Several weak proofs weigh together, so the
    /// checks are generous where phones are weak: a fix counts as at home when the home lies within the geofence plus
    /// the fix's own accuracy, and a fix too vague to place anything is reported as such rather than as "far away".
    /// </summary>
    public static List<string> Check(Visit visit, VisitEvidence evidence, VisitRules rules)
    {
        var reasons = new List<string>();
        void Add(string reason) { if (!reasons.Contains(reason)) reasons.Add(reason); }
        if (visit.Kind == VisitKind.Unscheduled) Add(VisitReasons.Unscheduled);
        foreach (var fix in new[] { visit.ClockIn, visit.ClockOut })
        {
            if (fix is null) { Add(VisitReasons.MissingClockOut); continue; }
            if (fix.Point is not { } point || fix.AccuracyMeters is not { } accuracy || accuracy > rules.IgnoreAccuracyMeters) Add(VisitReasons.NoLocation);
            else
            {
                if (accuracy > rules.FlagAccuracyMeters) Add(VisitReasons.PoorAccuracy);
                if (evidence.Home is { IsKnown: true } home && home.MetresTo(point) > rules.GeofenceMeters + accuracy) Add(VisitReasons.OutsideGeofence);
            }
            if (fix.PhotoId is null && !evidence.MealCodeScanned) Add(VisitReasons.NoPhoto); // the elder's own meal code is proof enough of a handover
            if (fix.ClockError.Duration() > rules.MaxClockError) Add(VisitReasons.ClockSkew);
            if (fix.HeldOffline > rules.MaxOffline) Add(VisitReasons.LateUpload);
        }
        if (visit.Line == ServiceLine.Meals)
        {
            // A meal is handed over in a moment: no duration to check.
        }
        else if (visit.ClockOut is { } end && visit.BookedStart is { } bookedStart && visit.BookedEnd is { } bookedEnd)
        {
            var served = end.HappenedAt - visit.ClockIn.HappenedAt;
            var booked = bookedEnd - bookedStart;
            if (served < rules.AlwaysShort || served < booked * rules.ShortShare) Add(VisitReasons.TooShort);
        }
        else if (visit.ClockOut is { } unbookedEnd && unbookedEnd.HappenedAt - visit.ClockIn.HappenedAt < rules.AlwaysShort)
        {
            Add(VisitReasons.TooShort);
        }
        if (evidence.PhotoReused) Add(VisitReasons.PhotoReused);
        if (Contradicts(evidence.ClockInPhoto, visit.ClockIn, evidence.Home, rules) || (visit.ClockOut is { } o && Contradicts(evidence.ClockOutPhoto, o, evidence.Home, rules)))
            Add(VisitReasons.PhotoContradicts);
        if (!evidence.CaregiverQualified) Add(VisitReasons.Unqualified);
        if (evidence.OverlapsAnother) Add(VisitReasons.Overlap);
        return reasons;
    }

    /// <summary>A photo whose camera time is far from the moment of the fix, or whose camera place is outside the geofence.</summary>
    private static bool Contradicts(VisitPhoto? photo, VisitFix fix, GeoPoint? home, VisitRules rules)
    {
        if (photo is null) return false;
        // The camera's time is the phone's own clock: compared with the capture time by that clock, not the corrected one.
        if (photo.ExifTakenAt is { } taken && (taken - fix.CapturedAt).Duration() > rules.PhotoTimeTolerance) return true;
        return photo.ExifLatitude is { } lat && photo.ExifLongitude is { } lon && home is { IsKnown: true } h
            && h.MetresTo(new GeoPoint(lat, lon)) > rules.GeofenceMeters + rules.FlagAccuracyMeters;
    }

    /// <summary>How many bits two perceptual hashes differ in: 0 for the same picture, about 32 for unrelated ones.</summary>
    public static int HammingDistance(long a, long b) => System.Numerics.BitOperations.PopCount((ulong)(a ^ b));
}
