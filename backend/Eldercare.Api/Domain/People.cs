namespace Eldercare.Api.Domain;

/// <summary>A family member (家属) who uses the mini-program and may act for the elders bound to them.</summary>
public class FamilyMember
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Phone { get; set; }
    public string? WeChatOpenId { get; set; }
    public List<FamilyBinding> Bindings { get; set; } = [];
}

public enum BindingStatus { Pending, Active, Revoked }

/// <summary>Consent for a family member to act for an elder. Only an Active binding grants anything.</summary>
public class FamilyBinding
{
    public int Id { get; set; }
    public int FamilyMemberId { get; set; }
    public int ElderId { get; set; }
    public required string Relation { get; set; }
    public BindingStatus Status { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
}

public enum StaffRole { Clerk, Caregiver, StationManager, Officer, HotlineAgent }

/// <summary>A staff login for the console. Clerks, caregivers and managers belong to a station; officers and agents do not.</summary>
public class StaffAccount
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public required string DisplayName { get; set; }
    public StaffRole Role { get; set; }
    public int? StationId { get; set; }
    public int? CaregiverId { get; set; }
    /// <summary>The WeChat user (openid) a caregiver bound with a one-time code: the mini-program opens in their mode.</summary>
    public string? WeChatOpenId { get; set; }
    public required string PasswordHash { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A one-time code a station manager shows a caregiver, to bind the caregiver's WeChat to their staff account. Only its
/// hash is kept; it expires, and it is used once.
/// </summary>
public class WeChatBindCode
{
    public long Id { get; set; }
    public required string CodeHash { get; set; }
    public int StaffAccountId { get; set; }
    public int IssuedByStaffId { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}
