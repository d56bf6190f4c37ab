using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Auth;

public sealed record WeChatBindCodeResponse(string Code, DateTime ExpiresAt, string CaregiverName);

public sealed record CaregiverClaimRequest([property: Required, StringLength(16, MinimumLength = 4)] string Code);

/// <summary>
/// A caregiver's WeChat becomes their way into the mini-program's caregiver mode: the station manager makes a one-time
/// code in the console (valid ten minutes, used once), the caregiver types it into the mini-program, and from then on
/// the mini-program logs them in as that caregiver.
/// </summary>
public static class CaregiverWeChat
{
    public static readonly Problem CodeInvalid = new("bind-code-invalid", 400, "绑定码不对或已过期，请让站长重新生成");
    public static readonly Problem NoAccount = new("caregiver-has-no-account", 409, "这位护理员还没有工作账号，请先在系统里开通");
    public static readonly Problem FamilyCannotBind = new("family-cannot-bind-caregiver", 409, "这个微信已经作为家属绑定了老人，请用护理员自己的微信绑定");
    public static readonly TimeSpan Valid = TimeSpan.FromMinutes(10);

    /// <summary>Letters and digits that cannot be mistaken for each other when read aloud or off a screen.</summary>
    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static void MapCaregiverWeChat(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/caregivers/{id:int}/wechat-code", async (int id, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var caregiver = await db.Caregivers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
            if (caregiver is null) return Problems.NotFound.ToResult();
            if (actor is not { Kind: PrincipalKind.Staff, Role: StaffRole.StationManager } || actor.StationId != caregiver.StationId) return Problems.Forbidden.ToResult();
            var account = await db.StaffAccounts.Where(a => a.CaregiverId == id && a.Role == StaffRole.Caregiver).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
            if (account is null) return NoAccount.ToResult();
            var code = RandomNumberGenerator.GetString(Alphabet, 8);
            var now = clock.GetUtcNow().UtcDateTime;
            db.WeChatBindCodes.Add(new WeChatBindCode { CodeHash = Hash(code), StaffAccountId = account.Value, IssuedByStaffId = actor.Id, IssuedAt = now, ExpiresAt = now + Valid });
            await db.SaveChangesAsync(ct);
            return Results.Ok(new WeChatBindCodeResponse(code, now + Valid, caregiver.Name));
        }).WithTags("Auth").Produces<WeChatBindCodeResponse>()
          .WithSummary("The station manager makes a one-time code (ten minutes, used once) for a caregiver to bind their WeChat");

        app.MapPost("/api/auth/wechat/caregiver", async (CaregiverClaimRequest body, Actor actor, EldercareDb db, SessionStore sessions, HttpContext http,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Family) return WeChatProblems.MiniProgramOnly.ToResult();
            var openId = await db.FamilyMembers.Where(f => f.Id == actor.Id).Select(f => f.WeChatOpenId).SingleOrDefaultAsync(ct);
            if (openId is null) return WeChatProblems.MiniProgramOnly.ToResult();
            if (await db.FamilyBindings.AnyAsync(b => b.FamilyMemberId == actor.Id && b.Status != BindingStatus.Revoked, ct)) return FamilyCannotBind.ToResult();
            var now = clock.GetUtcNow().UtcDateTime;
            var hash = Hash(body.Code.Trim().ToUpperInvariant());
            StaffAccount? account;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                // Used once: of two phones typing the same code at once, one gets it.
                var used = await db.WeChatBindCodes.Where(c => c.CodeHash == hash && c.UsedAt == null && c.ExpiresAt > now)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct);
                if (used == 0) return CodeInvalid.ToResult();
                var staffId = await db.WeChatBindCodes.Where(c => c.CodeHash == hash).Select(c => c.StaffAccountId).SingleAsync(ct);
                // The openid moves from the family record to the staff account (an earlier binding of this staff account is replaced).
                await db.FamilyMembers.Where(f => f.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.WeChatOpenId, (string?)null), ct);
                await db.StaffAccounts.Where(a => a.Id == staffId).ExecuteUpdateAsync(s => s.SetProperty(a => a.WeChatOpenId, openId), ct);
                account = await db.StaffAccounts.AsNoTracking().SingleAsync(a => a.Id == staffId, ct);
                await tx.CommitAsync(ct);
            }
            await sessions.EndAsync(SessionAuthenticationHandler.BearerToken(http.Request)!, ct);
            return Results.Ok(await WeChatLogin.CaregiverLoginAsync(sessions, account, ct));
        }).WithTags("Auth").Produces<WeChatLoginResponse>()
          .WithSummary("A caregiver types the manager's one-time code in the mini-program: their WeChat is bound to their staff account and the session becomes theirs");
    }

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
