namespace Eldercare.Api.Domain;

/// <summary>The groups that policy serves first (基本养老服务对象). An elder may belong to several.</summary>
[Flags]
public enum ElderGroups
{
    None = 0,
    Destitute = 1 << 0,          // 特困
    LowIncome = 1 << 1,          // 低保/低收入
    LivingAlone = 1 << 2,        // 独居
    EmptyNest = 1 << 3,          // 空巢
    Aged80Plus = 1 << 4,         // 高龄
    Disabled = 1 << 5,           // 失能
    Demented = 1 << 6,           // 失智
    LostOnlyChild = 1 << 7,      // 计划生育特殊家庭
    SeverelyDisabled = 1 << 8,   // 重度残疾
}

public enum ElderStatus { Active, InHospital, Away, Deceased }

public enum Gender { Male, Female }

/// <summary>
/// One elder's file (一人一册). The ID number is kept only encrypted, with keyed hashes (HMAC, a secret key) of the
/// whole number and of its last four characters for look-ups and the identity question on the phone. Nothing in plain
/// text beside the birth date lets it be rebuilt: screens show it masked from the decrypted number.
/// </summary>
public class Elder
{
    private string _name = "";

    public int Id { get; set; }

    public required string Name
    {
        get => _name;
        set { _name = value; NameInitials = PinyinInitials.Of(value); }
    }

    /// <summary>The name's pinyin initials (王建国 → WJG), kept with the name so staff can find the elder by typing them.</summary>
    public string NameInitials { get; set; } = "";

    public Gender Gender { get; set; }
    public DateOnly BirthDate { get; set; }
    public required string IdNumberCipher { get; set; }
    public required string IdNumberHash { get; set; }
    /// <summary>Keyed hash of the last four characters, for "the last four of your ID number" (hotline, family binding).</summary>
    public required string IdNumberTailHash { get; set; }
    public int CommunityId { get; set; }
    public ElderGroups Groups { get; set; }
    /// <summary>Ability assessment level, GB/T 42195-2022: 0 intact … 4 severe loss.</summary>
    public int AbilityLevel { get; set; }
    public required string Phone { get; set; }
    public string? SecondPhone { get; set; }
    public required string Address { get; set; }
    public GeoPoint Home { get; set; }
    public bool UsesWeChat { get; set; }
    /// <summary>The elder's own WeChat identity in the mini-program, once they have signed in there.</summary>
    public string? WeChatOpenId { get; set; }
    /// <summary>How the elder asked to be reminded; null lets the hub choose (WeChat when reachable, else a phone call).</summary>
    public DeliveryChannel? PreferredChannel { get; set; }
    /// <summary>On the patrol list (elders opt in): the station calls every day at this Beijing time. Null: no daily call.</summary>
    public TimeOnly? DailyCheckInAt { get; set; }
    public ElderStatus Status { get; set; }
    /// <summary>Asked to be visited on patrol although no group of theirs calls for it (举手制).</summary>
    public bool PatrolOptIn { get; set; }
    public DateTime RegisteredAt { get; set; }
    /// <summary>The station whose window registered the elder: its staff serve them even if they live in another zone (walk-ins).</summary>
    public int? RegisteredAtStationId { get; set; }
    public int? RegisteredByStaffId { get; set; }
    public List<EmergencyContact> EmergencyContacts { get; set; } = [];
    /// <summary>The elder's one meal code (see <see cref="Domain.MealCode"/>); given when the file is saved (a value generator).</summary>
    public string? MealCode { get; set; }
    /// <summary>Bumped by every booking change of this elder: taking its row lock serialises them (no double booking).</summary>
    public long BookingSequence { get; set; }
}

/// <summary>A staff member opened an elder's file, or asked to and was refused: who, when, which elder (the audit log of staff reads).</summary>
public class ElderFileRead
{
    public long Id { get; set; }
    public int ElderId { get; set; }
    public int StaffAccountId { get; set; }
    public DateTime ReadAt { get; set; }
    /// <summary>The file was not shown (the elder is outside the staff member's zone): an attempt worth an officer's eye.</summary>
    public bool Refused { get; set; }
}

/// <summary>A staff member opened a station's day, which lists the elders booked with their phones and addresses: one audited read.</summary>
public class StationDayRead
{
    public long Id { get; set; }
    public int StationId { get; set; }
    public DateOnly Day { get; set; }
    public int StaffAccountId { get; set; }
    public DateTime ReadAt { get; set; }
}

public class EmergencyContact
{
    public int Id { get; set; }
    public int ElderId { get; set; }
    public required string Name { get; set; }
    public required string Relation { get; set; }
    public required string Phone { get; set; }
}

public static class ElderRules
{
    /// <summary>Groups served first when places are scarce (waitlist order): higher tiers first.</summary>
    public static int PriorityTier(this Elder elder)
    {
        const ElderGroups mostProtected = ElderGroups.Destitute | ElderGroups.LowIncome | ElderGroups.SeverelyDisabled | ElderGroups.LostOnlyChild;
        const ElderGroups protectedGroups = ElderGroups.Disabled | ElderGroups.Demented | ElderGroups.LivingAlone | ElderGroups.Aged80Plus | ElderGroups.EmptyNest;
        if ((elder.Groups & mostProtected) != 0) return 2;
        if ((elder.Groups & protectedGroups) != 0) return 1;
        return 0;
    }

    public static int AgeOn(this Elder elder, DateOnly day) => AgeOn(elder.BirthDate, day);

    /// <summary>Full years from a birth date to a day.</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day) =>
        day.Year - birthDate.Year - (day < birthDate.AddYears(day.Year - birthDate.Year) ? 1 : 0);
}
