using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Elders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Auth;

public sealed record WeChatCodeRequest([property: Required, StringLength(128, MinimumLength = 1)] string Code);

/// <summary>"I am the elder": the name and last four characters of the ID number on file, and the phone WeChat vouches for.</summary>
public sealed record ElderClaimRequest(
    [property: Required, StringLength(50, MinimumLength = 1)] string Name,
    [property: Required, RegularExpression("^[0-9]{3}[0-9Xx]$")] string IdLast4,
    [property: Required, StringLength(128, MinimumLength = 1)] string PhoneCode);

/// <summary>An elder this mini-program user may act for.</summary>
/// <summary>An elder this user may act for, with their station and its phone (the "call the station" button).</summary>
public sealed record ActingFor(int ElderId, string Name, string Relation, string? Station = null, string? StationPhone = null);

public sealed record WeChatLoginResponse(string Token, string Kind, int Id, bool PhoneBound, IReadOnlyList<ActingFor> Elders);

/// <summary>The subscribe-message templates to ask for when booking and when joining a waitlist, and how bookings are paid (WeChat or Window).</summary>
public sealed record WeChatTemplatesResponse(IReadOnlyList<string> ForBooking, IReadOnlyList<string> ForWaitlist, string Payment);

/// <summary>A family member's phone, shared through WeChat, now on their record (shown masked).</summary>
public sealed record PhoneBoundResponse(bool PhoneBound, string MaskedPhone);

public static class WeChatProblems
{
    public static readonly Problem NotConfigured = new("wechat-not-configured", 503, "小程序登录暂未开通，请拨打热线或到驿站办理");
    public static readonly Problem Unavailable = new("wechat-unavailable", 503, "微信暂时连不上，请稍后再试");
    public static readonly Problem CodeInvalid = new("wechat-code-invalid", 400, "微信登录已失效，请关闭小程序后重新打开");
    public static readonly Problem WeChatRefused = new("wechat-refused", 502, "微信没有通过这次请求，请稍后再试");
    public static readonly Problem MiniProgramOnly = new("mini-program-only", 403, "这项操作只能在小程序里办理");
    public static readonly Problem AlreadyClaimed = new("elder-already-claimed", 409, "这位老人的档案已经绑定了另一个微信，如需更换请到驿站办理");
    public static readonly Problem FamilyCannotClaim = new("family-cannot-claim", 409, "这个微信已经作为家属绑定了老人，不能再登记为老人本人；请老人用自己的微信登记");
}

/// <summary>
/// Log-in from the mini-program. WeChat's log-in code gives the user's openid (the session_key WeChat sends with it
/// never leaves the server, nor is it kept). The openid decides who the session acts as: an elder who has claimed
/// their file, or a family member; a WeChat user seen for the first time becomes a family member with no elders yet,
/// who then binds to elders (see FamilyBindings) or, being the elder, claims their own file.
/// </summary>
public static class WeChatLogin
{
    public const string Channel = "miniprogram";

    public static void MapWeChatLogin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth/wechat").WithTags("Auth");

        group.MapPost("/", async (WeChatCodeRequest body, WeChatClient wechat, IOptions<WeChatOptions> options, EldercareDb db,
            SessionStore sessions, CancellationToken ct) =>
        {
            if (!options.Value.Enabled) return WeChatProblems.NotConfigured.ToResult();
            var session = await CallAsync(() => wechat.Code2SessionAsync(body.Code, ct));
            if (session.Refusal is { } refused) return refused.ToResult();
            var openId = session.Value!;

            // A caregiver who bound this WeChat opens the caregiver mode.
            if (await db.StaffAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.WeChatOpenId == openId && a.Role == StaffRole.Caregiver, ct) is { } caregiver)
                return Results.Ok(await CaregiverLoginAsync(sessions, caregiver, ct));

            var elder = await db.Elders.AsNoTracking().Where(e => e.WeChatOpenId == openId).Select(e => new { e.Id, e.Name }).FirstOrDefaultAsync(ct);
            if (elder is not null)
                return Results.Ok(new WeChatLoginResponse(await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Elder, elder.Id, Channel), ct),
                    nameof(PrincipalKind.Elder), elder.Id, PhoneBound: true, await WithStationsAsync(db, [new ActingFor(elder.Id, elder.Name, "本人")], ct)));

            var member = await FamilyMemberForAsync(db, openId, ct);
            return Results.Ok(await FamilyLoginAsync(db, sessions, member, ct));
        }).AllowAnonymous().Produces<WeChatLoginResponse>().WithSummary("Log in from the mini-program with the wx.login code: a session token and the elders this user may act for");

        // The elders this user may act for now, with their stations: a daughter's home page learns at once that her father agreed.
        group.MapGet("/elders", async (Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            return actor.Kind switch
            {
                PrincipalKind.Elder => Results.Ok(await WithStationsAsync(db,
                    await db.Elders.Where(e => e.Id == actor.Id).Select(e => new ActingFor(e.Id, e.Name, "本人", null, null)).ToListAsync(ct), ct)),
                PrincipalKind.Family => Results.Ok(await WithStationsAsync(db, await BoundEldersAsync(db, actor.Id, ct), ct)),
                _ => WeChatProblems.MiniProgramOnly.ToResult(),
            };
        }).RequireAuthorization().Produces<List<ActingFor>>().WithSummary("The elders this mini-program user may act for now, with each one's station and its phone");

        // The mini-program asks the user to accept these (at most three at a time, WeChat's limit) when booking; WeChat
        // itself then refuses messages a user did not accept (43101), and the hub reaches them another way.
        group.MapGet("/templates", (IOptions<WeChatOptions> options, IOptions<WeChatPayOptions> pay) =>
        {
            var o = options.Value;
            var forBooking = new[] { o.TemplateFor(ReminderKind.BookingConfirmed), o.TemplateFor(ReminderKind.BookingEveningBefore), o.TemplateFor(ReminderKind.ServiceCompleted) }
                .Where(t => t.Length > 0).Distinct().ToList();
            var forWaitlist = new[] { o.TemplateFor(ReminderKind.WaitlistPromoted) }.Where(t => t.Length > 0).ToList();
            // How a booking is paid: in WeChat, or at the station's window while WeChat Pay is not set up.
            return Results.Ok(new WeChatTemplatesResponse(forBooking, forWaitlist, pay.Value.Enabled ? "WeChat" : "Window"));
        }).RequireAuthorization().Produces<WeChatTemplatesResponse>().WithSummary("The subscribe-message templates the mini-program asks users to accept, and how bookings are paid");

        group.MapPost("/phone", async (WeChatCodeRequest body, Actor actor, WeChatClient wechat, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Family) return WeChatProblems.MiniProgramOnly.ToResult("老人的电话以驿站档案为准");
            var shared = await CallAsync(() => wechat.GetPhoneNumberAsync(body.Code, ct));
            if (shared.Refusal is { } refused) return refused.ToResult();
            var phone = shared.Value!;
            await db.FamilyMembers.Where(f => f.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Phone, phone), ct);
            return Results.Ok(new PhoneBoundResponse(PhoneBound: true, ElderEndpoints.MaskPhone(phone)));
        }).RequireAuthorization().Produces<PhoneBoundResponse>().WithSummary("A family member shares their phone number through WeChat's phone-number button");

        group.MapPost("/elder", async (ElderClaimRequest body, Actor actor, WeChatClient wechat, EldercareDb db, ElderByDetails elders,
            SessionStore sessions, HttpContext http, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Family) return WeChatProblems.MiniProgramOnly.ToResult();
            var openId = await db.FamilyMembers.Where(f => f.Id == actor.Id).Select(f => f.WeChatOpenId).SingleOrDefaultAsync(ct);
            if (openId is null) return WeChatProblems.MiniProgramOnly.ToResult();
            // A daughter who chose "I am the elder" by mistake must not become her father and lose her own bindings.
            if (await db.FamilyBindings.AnyAsync(b => b.FamilyMemberId == actor.Id && b.Status != BindingStatus.Revoked, ct))
                return WeChatProblems.FamilyCannotClaim.ToResult();
            var shared = await CallAsync(() => wechat.GetPhoneNumberAsync(body.PhoneCode, ct));
            if (shared.Refusal is { } refused) return refused.ToResult();
            var phone = shared.Value!;

            var found = await elders.FindAsync($"family:{actor.Id}", body.Name, body.IdLast4, phone, ct);
            if (found.Refusal is { } notFound) return notFound.ToResult();
            var elder = found.Value!;
            if (elder.WeChatOpenId is not null && elder.WeChatOpenId != openId) return WeChatProblems.AlreadyClaimed.ToResult();

            // From now on this WeChat user is the elder: the openid moves from the family record to the elder's file.
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                var claimed = await db.Elders.Where(e => e.Id == elder.Id && (e.WeChatOpenId == null || e.WeChatOpenId == openId))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.WeChatOpenId, openId).SetProperty(e => e.UsesWeChat, true), ct);
                if (claimed == 0) return WeChatProblems.AlreadyClaimed.ToResult();
                await db.FamilyMembers.Where(f => f.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.WeChatOpenId, (string?)null), ct);
                await tx.CommitAsync(ct);
            }
            await sessions.EndAsync(SessionAuthenticationHandler.BearerToken(http.Request)!, ct);
            return Results.Ok(new WeChatLoginResponse(await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Elder, elder.Id, Channel), ct),
                nameof(PrincipalKind.Elder), elder.Id, PhoneBound: true, await WithStationsAsync(db, [new ActingFor(elder.Id, elder.Name, "本人")], ct)));
        }).RequireAuthorization().Produces<WeChatLoginResponse>().WithSummary("The elder claims their own file (name, last four of the ID number, the phone WeChat vouches for); the session becomes the elder's");
    }

    /// <summary>What a new mini-program user is called until they give a name.</summary>
    private const string NewUserName = "微信用户";

    /// <summary>The family record of this openid, created on first log-in. Two first log-ins at once make one record (a unique openid).</summary>
    private static async Task<FamilyMember> FamilyMemberForAsync(EldercareDb db, string openId, CancellationToken ct)
    {
        var member = await db.FamilyMembers.AsNoTracking().FirstOrDefaultAsync(f => f.WeChatOpenId == openId, ct);
        if (member is not null) return member;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO family_members (name, phone, wechat_openid) VALUES ({NewUserName}, '', {openId})
            ON CONFLICT (wechat_openid) DO NOTHING
            """, ct);
        return await db.FamilyMembers.AsNoTracking().SingleAsync(f => f.WeChatOpenId == openId, ct);
    }

    /// <summary>A caregiver's session from the mini-program: staff, with their role and station, on the mini-program channel.</summary>
    public static async Task<WeChatLoginResponse> CaregiverLoginAsync(SessionStore sessions, StaffAccount account, CancellationToken ct) =>
        new(await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Staff, account.Id, Channel, account.Role, account.StationId), ct),
            "Caregiver", account.Id, PhoneBound: true, []);

    private static async Task<WeChatLoginResponse> FamilyLoginAsync(EldercareDb db, SessionStore sessions, FamilyMember member, CancellationToken ct)
    {
        var elders = await BoundEldersAsync(db, member.Id, ct);
        var token = await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Family, member.Id, Channel), ct);
        return new WeChatLoginResponse(token, nameof(PrincipalKind.Family), member.Id, PhoneBound: member.Phone.Length > 0, await WithStationsAsync(db, elders, ct));
    }

    private static Task<List<ActingFor>> BoundEldersAsync(EldercareDb db, int familyMemberId, CancellationToken ct) =>
        (from b in db.FamilyBindings
         join e in db.Elders on b.ElderId equals e.Id
         where b.FamilyMemberId == familyMemberId && b.Status == BindingStatus.Active
         orderby e.Name
         select new ActingFor(e.Id, e.Name, b.Relation, null, null)).ToListAsync(ct);

    /// <summary>Each elder's station and its duty phone, so every page of the mini-program can offer a call to a person.</summary>
    private static async Task<IReadOnlyList<ActingFor>> WithStationsAsync(EldercareDb db, IReadOnlyList<ActingFor> elders, CancellationToken ct)
    {
        var ids = elders.Select(e => e.ElderId).ToList();
        var stations = await (from e in db.Elders
                              join c in db.Communities on e.CommunityId equals c.Id
                              join s in db.Stations on c.StationId equals s.Id
                              where ids.Contains(e.Id)
                              select new { e.Id, s.Name, s.DutyPhone }).ToDictionaryAsync(x => x.Id, ct);
        return elders.Select(e => stations.TryGetValue(e.ElderId, out var s) ? e with { Station = s.Name, StationPhone = s.DutyPhone } : e).ToList();
    }

    /// <summary>A WeChat call, its failures turned into the problem the caller gets; the value when WeChat answered it.</summary>
    private static async Task<Outcome<string>> CallAsync(Func<Task<(string? Value, WeChatResult Result)>> call)
    {
        try
        {
            var (value, result) = await call();
            if (value is not null) return value;
            return result.CodeInvalid ? WeChatProblems.CodeInvalid : new Refusal(WeChatProblems.WeChatRefused, $"微信 {result.ErrCode}");
        }
        catch (Exception e) when (WeChatSetup.Unreachable(e))
        {
            return WeChatProblems.Unavailable;
        }
    }

}
