namespace Eldercare.Api.Domain;

/// <summary>The four service lines of the booking engine.</summary>
public enum ServiceLine { Meals, Bathing, Cleaning, Medical }

/// <summary>Where or how a service is delivered. An item may offer several; a booking picks one.</summary>
[Flags]
public enum ServiceModes
{
    None = 0,
    AtCentre = 1,   // at the station, meal point, bathing room or health station (dine-in for meals)
    AtHome = 2,     // a caregiver or team comes to the elder's home
    Delivery = 4,   // meals brought home
    PickUp = 8,     // meals collected by the elder or family
}

/// <summary>The terms of a service: what it is, who may have it and what it costs.</summary>
public abstract class CatalogTerms
{
    public required string Name { get; set; }
    public required string Detail { get; set; }
    public ServiceModes Modes { get; set; }
    public required string Provider { get; set; }
    public int DurationMinutes { get; set; }
    public long ListPriceFen { get; set; }
    /// <summary>Basic, publicly funded service (基本服务) rather than a value-added paid one.</summary>
    public bool IsBasic { get; set; }
    /// <summary>The elder must belong to at least one of these groups; None means everybody.</summary>
    public ElderGroups EligibleGroups { get; set; }
    public int MinAbilityLevel { get; set; }
    public int MaxAbilityLevel { get; set; } = 4;
    public int MinAge { get; set; } = 60;
    public bool IsActive { get; set; } = true;

    protected void CopyTermsTo(CatalogTerms other)
    {
        other.Name = Name; other.Detail = Detail; other.Modes = Modes; other.Provider = Provider; other.DurationMinutes = DurationMinutes;
        other.ListPriceFen = ListPriceFen; other.IsBasic = IsBasic; other.EligibleGroups = EligibleGroups;
        other.MinAbilityLevel = MinAbilityLevel; other.MaxAbilityLevel = MaxAbilityLevel; other.MinAge = MinAge; other.IsActive = IsActive;
    }
}

/// <summary>
/// A service that can be booked, with its current terms. Every change of terms makes a new
/// <see cref="Version"/> (kept in <see cref="CatalogItemVersion"/>); a booking records the version it was made under.
/// </summary>
public class CatalogItem : CatalogTerms
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public ServiceLine Line { get; set; }
    public int Version { get; set; } = 1;
    public DateTime UpdatedAt { get; set; }

    /// <summary>Why this elder may not have this service, in words an elder understands; null when they may.</summary>
    public string? IneligibilityReason(Elder elder, DateOnly today)
    {
        if (!IsActive) return "这项服务已停止提供";
        if (elder.AgeOn(today) < MinAge) return $"这项服务面向{MinAge}岁以上的老人";
        if (EligibleGroups != ElderGroups.None && (elder.Groups & EligibleGroups) == 0) return "这项服务只面向特定保障对象";
        if (elder.AbilityLevel < MinAbilityLevel || elder.AbilityLevel > MaxAbilityLevel) return "您的能力评估等级不适合这项服务";
        return null;
    }

    public CatalogItemVersion Snapshot(DateTime at, string changedBy)
    {
        var version = new CatalogItemVersion { CatalogItemId = Id, Version = Version, ChangedAt = at, ChangedBy = changedBy, Name = Name, Detail = Detail, Provider = Provider };
        CopyTermsTo(version);
        return version;
    }
}

/// <summary>The terms of a catalogue item as they were from one change to the next (append-only).</summary>
public class CatalogItemVersion : CatalogTerms
{
    public int Id { get; set; }
    public int CatalogItemId { get; set; }
    public int Version { get; set; }
    public DateTime ChangedAt { get; set; }
    public required string ChangedBy { get; set; }
}
