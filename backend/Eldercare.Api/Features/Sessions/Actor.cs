using System.Globalization;
using System.Security.Claims;
using Eldercare.Api.Domain;

namespace Eldercare.Api.Features.Sessions;

/// <summary>Who is acting, through which channel: what the booking engine records in every history line.</summary>
public sealed record Actor(PrincipalKind Kind, int Id, Channel Channel, StaffRole? Role = null, int? StationId = null)
{
    /// <summary>The hub itself: standing meal orders, waitlist promotion, closures.</summary>
    public static readonly Actor System = new(PrincipalKind.Service, 0, Channel.System);

    public bool IsSystem => Kind == PrincipalKind.Service && Id == 0;

    public ActorKind HistoryKind => Kind switch
    {
        PrincipalKind.Elder => ActorKind.Elder,
        PrincipalKind.Family => ActorKind.FamilyMember,
        PrincipalKind.Staff when Role == StaffRole.HotlineAgent => ActorKind.HotlineAgent,
        PrincipalKind.Staff => ActorKind.Staff,
        _ when IsSystem => ActorKind.System,
        _ => ActorKind.Ivr,
    };

    public int? HistoryId => IsSystem ? null : Id;

    /// <summary>Idempotency keys are unique per caller, so two callers' keys never collide.</summary>
    public string IdempotencyScope => $"{Kind}:{Id}";

    /// <summary>
    /// An endpoint takes the caller as an <c>Actor actor</c> parameter: bound from the session, which the endpoint's
    /// authorization has already required (a caller without one gets 401 before this runs).
    /// </summary>
    public static ValueTask<Actor?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.User.Identity?.IsAuthenticated == true ? From(context.User) : null);

    public static Actor From(ClaimsPrincipal user)
    {
        var kind = Enum.Parse<PrincipalKind>(user.FindFirstValue(SessionClaims.Kind)!);
        var id = int.Parse(user.FindFirstValue(SessionClaims.Id)!, CultureInfo.InvariantCulture);
        StaffRole? role = user.FindFirstValue(ClaimTypes.Role) is { } r ? Enum.Parse<StaffRole>(r) : null;
        int? station = user.FindFirstValue(SessionClaims.StationId) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        return new Actor(kind, id, ParseChannel(user.FindFirstValue(SessionClaims.Channel), kind), role, station);
    }

    /// <summary>Session channels are written "miniprogram", "window", "hotline", "terminal"; anything else falls back by caller kind.</summary>
    public static Channel ParseChannel(string? channel, PrincipalKind kind) => channel?.Replace("-", "").ToLowerInvariant() switch
    {
        "miniprogram" => Channel.MiniProgram,
        "window" => Channel.Window,
        "hotline" => Channel.Hotline,
        "terminal" or "hometerminal" => Channel.HomeTerminal,
        _ => kind switch { PrincipalKind.Staff => Channel.Window, PrincipalKind.Service => Channel.Hotline, _ => Channel.MiniProgram },
    };
}
