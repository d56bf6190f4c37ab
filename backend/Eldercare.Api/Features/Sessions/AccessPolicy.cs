using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Sessions;

/// <summary>
/// Who may see and act for which elder: the one place these rules live.
/// - an elder: only themself;
/// - a family member: only elders bound to them (an active binding);
/// - a clerk or station manager: elders living in their station's zone, and walk-ins registered at their station's window;
/// - a caregiver: reads the elders of their station's zone, books nothing;
/// - an officer: reads everything, books nothing;
/// - a hotline agent and the hotline service (IVR): any elder of the district, since callers reach them from anywhere;
/// - the hub itself (standing orders, waitlist, closures): any elder.
/// </summary>
public sealed class AccessPolicy(EldercareDb db)
{
    public static readonly Problem NotBound = new("not-bound", 403, "您还没有绑定这位老人，不能查看或代办");
    public static readonly Problem OutOfZone = new("out-of-zone", 403, "这位老人不在本驿站的服务片区");
    public static readonly Problem ReadOnlyRole = new("read-only-role", 403, "您的岗位只能查看，不能预约或取消");
    public static readonly Problem NotYourself = new("not-yourself", 403, "只能为自己办理");
    public static readonly Problem ElderNotFound = new("elder-not-found", 404, "没有找到这位老人");

    /// <summary>Null when <paramref name="actor"/> may read (or, with <paramref name="write"/>, book and cancel for) the elder; else the refusal.</summary>
    public async Task<Problem?> CheckElderAsync(Actor actor, int elderId, bool write, CancellationToken ct = default)
    {
        if (actor.IsSystem) return null;
        switch (actor.Kind)
        {
            case PrincipalKind.Elder:
                return actor.Id == elderId ? null : NotYourself;
            case PrincipalKind.Family:
                var bound = await db.FamilyBindings.AnyAsync(b => b.FamilyMemberId == actor.Id && b.ElderId == elderId && b.Status == BindingStatus.Active, ct);
                return bound ? null : NotBound;
            case PrincipalKind.Service:
                // Whoever acts for the whole district needs no look-up to be allowed; a write finds out itself
                // whether the elder exists (and answers elder-not-found), which saves the booking path a query.
                return write || await ExistsAsync(elderId, ct) ? null : ElderNotFound;
            case PrincipalKind.Staff:
                if (write && actor.Role is StaffRole.Officer or StaffRole.Caregiver) return ReadOnlyRole;
                if (actor.Role is StaffRole.HotlineAgent && write) return null;
                if (actor.Role is StaffRole.Officer or StaffRole.HotlineAgent) return await ExistsAsync(elderId, ct) ? null : ElderNotFound;
                var stations = await db.Elders.Where(e => e.Id == elderId)
                    .Join(db.Communities, e => e.CommunityId, c => c.Id, (e, c) => new { Zone = c.StationId, e.RegisteredAtStationId }).SingleOrDefaultAsync(ct);
                if (stations is null) return ElderNotFound;
                return stations.Zone == actor.StationId || stations.RegisteredAtStationId == actor.StationId ? null : OutOfZone;
            default:
                return Problems.Forbidden;
        }
    }

    /// <summary>
    /// Authorization policy for endpoints only officers use (editing the catalogue and subsidy rules). Declared on
    /// the endpoint, so it refuses before the request body is even read.
    /// </summary>
    public const string OfficersOnly = "officers-only";

    public static void AddPolicies(Microsoft.AspNetCore.Authorization.AuthorizationOptions options) =>
        options.AddPolicy(OfficersOnly, p => p.RequireClaim(SessionClaims.Kind, nameof(PrincipalKind.Staff)).RequireRole(nameof(StaffRole.Officer)));

    /// <summary>
    /// The people at a station's window, clerks and its manager: they register elders, take money, hand out refunds and
    /// set up check-in calls.
    /// </summary>
    public static bool AtTheWindow(Actor actor) => actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager };

    /// <summary>At the window of this station (none: nobody's, e.g. a refund WeChat Pay owes, which no window hands out).</summary>
    public static bool AtTheWindowOf(Actor actor, int? stationId) => AtTheWindow(actor) && stationId is not null && actor.StationId == stationId;

    public static bool IsOfficer(Actor actor) => actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Officer };

    /// <summary>
    /// A station's money (refunds owed, subsidy summaries, reconciliation findings): officers see every station's, its
    /// window staff their own. Caregivers and hotline agents handle no money.
    /// </summary>
    public static bool SeesMoneyOf(Actor actor, int stationId) => IsOfficer(actor) || AtTheWindowOf(actor, stationId);

    /// <summary>Staff who hand out meals at a station's counter: its clerks, caregivers and manager.</summary>
    public static bool AtTheCounter(Actor actor) =>
        actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.Caregiver or StaffRole.StationManager, StationId: not null };

    /// <summary>Officers and hotline agents serve the whole district; other staff see their own station's elders, cases and calls.</summary>
    public static bool SeesWholeDistrict(Actor actor) => actor.Role is StaffRole.Officer or StaffRole.HotlineAgent;

    /// <summary>The hotline: its IVR's service log-in, or a hotline agent at the phones.</summary>
    public static bool IsHotline(Actor actor) => actor.Kind == PrincipalKind.Service || actor.Role == StaffRole.HotlineAgent;

    /// <summary>Station managers run their own station's resources; officers run every station's.</summary>
    public static Problem? CheckRunsStation(Actor actor, int stationId) => actor switch
    {
        { Kind: PrincipalKind.Staff, Role: StaffRole.Officer } => null,
        { Kind: PrincipalKind.Staff, Role: StaffRole.StationManager } when actor.StationId == stationId => null,
        _ => Problems.Forbidden,
    };

    /// <summary>A station's own staff (clerks, caregivers, its manager) see its day; officers see every station's.</summary>
    public static Problem? CheckWorksAtStation(Actor actor, int stationId) => actor switch
    {
        { Kind: PrincipalKind.Staff, Role: StaffRole.Officer } => null,
        { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.Caregiver or StaffRole.StationManager } when actor.StationId == stationId => null,
        _ => Problems.Forbidden,
    };

    public static readonly Problem StationStaffOnly = new("station-staff-only", 403, "服务进度由提供服务的驿站工作人员记录");
    public static readonly Problem NotYourQueue = new("not-your-queue", 403, "这类通知的结果不由您上报");

    /// <summary>
    /// Who records a booking's progress (arrived, served, no-show, rejected): the clerks and manager of the station that
    /// provides the service. Officers and caregivers only read; hotline agents are on the phone, not at the service.
    /// </summary>
    public static Problem? CheckRecordsProgress(Actor actor, int serviceStationId) => actor switch
    {
        { Kind: PrincipalKind.Staff, Role: StaffRole.Officer or StaffRole.Caregiver } => ReadOnlyRole,
        { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager } when actor.StationId == serviceStationId => null,
        _ => StationStaffOnly,
    };

    /// <summary>
    /// Who reports whether a delivery reached the elder: a phone call only the hotline's dialler that made it; a console
    /// task the station staff of the elder's zone who followed it up (clerks, the manager, and caregivers, who go round);
    /// a WeChat message nobody (the hub sends it and WeChat answers).
    /// </summary>
    public async Task<Problem?> CheckReportsDeliveryAsync(Actor actor, DeliveryChannel channel, int elderId, CancellationToken ct)
    {
        switch (channel)
        {
            case DeliveryChannel.PhoneCall:
                return actor.Kind == PrincipalKind.Service && !actor.IsSystem ? null : NotYourQueue;
            case DeliveryChannel.ConsoleTask when actor is { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager or StaffRole.Caregiver }:
                return await CheckElderAsync(actor, elderId, write: false, ct); // station staff read exactly their zone
            default:
                return NotYourQueue;
        }
    }

    /// <summary>
    /// Who confirms that a family member may act for an elder: the elder themself (in the mini-program), or a clerk or
    /// station manager of the elder's station with the elder at the window. Never a hotline agent: a voice on the phone
    /// cannot show that the elder agrees.
    /// </summary>
    public async Task<Problem?> CheckConfirmsBindingAsync(Actor actor, int elderId, CancellationToken ct) => actor switch
    {
        { Kind: PrincipalKind.Elder } => actor.Id == elderId ? null : NotYourself,
        { Kind: PrincipalKind.Family } => NotYourself,
        { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager } => await CheckElderAsync(actor, elderId, write: true, ct),
        _ => Problems.Forbidden,
    };

    private Task<bool> ExistsAsync(int elderId, CancellationToken ct) => db.Elders.AnyAsync(e => e.Id == elderId, ct);
}
