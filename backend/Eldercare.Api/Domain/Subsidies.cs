namespace Eldercare.Api.Domain;

public enum SubsidyKind { FixedAmount, Percentage }

/// <summary>
/// One subsidy policy, kept as data so officers change it without a release. It pays a fixed amount or a
/// percentage of the list price per use, to elders in its groups, up to optional daily and monthly caps per elder.
/// Example: the ¥5-a-day meal subsidy for basic-service elders is FixedAmount 500 fen with a daily cap of 500 fen.
/// </summary>
public class SubsidyRule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The service line it pays for; null for every line.</summary>
    public ServiceLine? Line { get; set; }
    /// <summary>Only this item; null for every item of the line.</summary>
    public int? CatalogItemId { get; set; }
    /// <summary>The elder must belong to at least one of these groups; None means every elder.</summary>
    public ElderGroups EligibleGroups { get; set; }
    public int MinAge { get; set; } = 60;
    public int MinAbilityLevel { get; set; }
    public SubsidyKind Kind { get; set; }
    /// <summary>Fen for FixedAmount, percent (1-100) for Percentage.</summary>
    public long Amount { get; set; }
    public long? DailyCapFen { get; set; }
    public long? MonthlyCapFen { get; set; }
    /// <summary>Rules are applied in ascending order until the price is covered.</summary>
    public int Priority { get; set; }
    public bool IsActive { get; set; } = true;

    public bool AppliesTo(Elder elder, CatalogItem item, DateOnly serviceDate) =>
        IsActive
        && (Line is null || Line == item.Line)
        && (CatalogItemId is null || CatalogItemId == item.Id)
        && (EligibleGroups == ElderGroups.None || (elder.Groups & EligibleGroups) != 0)
        && elder.AgeOn(serviceDate) >= MinAge
        && elder.AbilityLevel >= MinAbilityLevel;

    /// <summary>What this rule would pay towards a price, before caps.</summary>
    public long PerUse(long listPriceFen, long stillPayableFen) =>
        Math.Min(stillPayableFen, Kind == SubsidyKind.FixedAmount ? Amount : listPriceFen * Amount / 100);

    public static string DayPeriod(DateOnly day) => day.ToString("yyyy-MM-dd");
    public static string MonthPeriod(DateOnly day) => day.ToString("yyyy-MM");
}

/// <summary>How much of one rule's cap an elder has used in one day or month. Updated only by conditional increments.</summary>
public class SubsidyBudget
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public int RuleId { get; set; }
    /// <summary>"2026-11" for a monthly cap, "2026-11-22" for a daily cap.</summary>
    public required string Period { get; set; }
    public long CapFen { get; set; }
    public long UsedFen { get; set; }
}

/// <summary>The subsidy ledger: one line per grant, and a negative line when a booking is cancelled.</summary>
public class SubsidyLedgerEntry
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public int RuleId { get; set; }
    public long BookingId { get; set; }
    public ServiceLine Line { get; set; }
    public DateOnly ServiceDate { get; set; }
    public required string Month { get; set; }
    public long AmountFen { get; set; }
    public DateTime RecordedAt { get; set; }
}

/// <summary>
/// What subsidies paid for one station's elders in one month, per service line: the figure officers settle with the
/// station, written by the monthly summary job from the ledger (grants less give-backs).
/// </summary>
public class SubsidySummary
{
    public long Id { get; set; }
    public int StationId { get; set; }
    public required string Month { get; set; }
    public ServiceLine Line { get; set; }
    /// <summary>Services subsidised: grants less give-backs.</summary>
    public int Uses { get; set; }
    public int Elders { get; set; }
    public long AmountFen { get; set; }
    public DateTime ComputedAt { get; set; }
}
