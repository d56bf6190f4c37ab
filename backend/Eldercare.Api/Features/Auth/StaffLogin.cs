using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Auth;

/// <summary>Settings of the "StaffLogin" section.</summary>
public sealed class StaffLoginOptions
{
    /// <summary>Wrong passwords in a row that lock an account.</summary>
    [Range(1, 100)] public int MaxFailures { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan LockoutPeriod { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed record StaffLoginRequest(
    [property: Required, StringLength(64, MinimumLength = 1)] string Username,
    [property: Required, StringLength(128, MinimumLength = 1)] string Password);

public sealed record StaffLoginResponse(string Token, string Username, string DisplayName, StaffRole Role, int? StationId, string Channel);

public static class StaffLoginProblems
{
    public static readonly Problem WrongCredentials = new("wrong-credentials", 401, "用户名或密码不对");
    public static readonly Problem AccountLocked = new("account-locked", 423, "密码错误次数太多，账号已暂时锁定，请稍后再试或找站长解锁");
}

/// <summary>
/// Staff log in to the console with a username and password (hashed with ASP.NET Core Identity's password hasher).
/// Each attempt first takes one of the account's <see cref="StaffLoginOptions.MaxFailures"/> tries with a conditional
/// update, then checks the password: so however many guesses arrive at once, no more than that many are ever checked
/// before the account locks for <see cref="StaffLoginOptions.LockoutPeriod"/>. A locked account refuses even the
/// right password; the right password resets the count. Unknown usernames get the same answer as wrong passwords.
/// </summary>
public sealed class StaffLogin(EldercareDb db, SessionStore sessions, IOptions<StaffLoginOptions> options, TimeProvider clock, ILogger<StaffLogin> log)
{
    private static readonly PasswordHasher<StaffAccount> Hasher = new();
    private static readonly StaffAccount Nobody = new() { Username = "", DisplayName = "", PasswordHash = "" };

    // Checked against when the username is unknown, so that a wrong name takes as long as a wrong password.
    private static readonly string NobodysHash = Hasher.HashPassword(Nobody, Guid.NewGuid().ToString());

    public async Task<IResult> LogInAsync(StaffLoginRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var limit = options.Value.MaxFailures;
        var account = await db.StaffAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Username == request.Username, ct);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(Nobody, NobodysHash, request.Password);
            log.LogInformation("Console login refused: unknown username");
            return StaffLoginProblems.WrongCredentials.ToResult();
        }

        // Take a try: only while the account is unlocked with tries left, or its lock has run out (a fresh count).
        var tookTry = await db.StaffAccounts
            .Where(a => a.Id == account.Id && (a.LockedUntil == null ? a.FailedLogins < limit : a.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.FailedLogins, a => a.LockedUntil == null ? a.FailedLogins + 1 : 1)
                .SetProperty(a => a.LockedUntil, (DateTime?)null), ct) == 1;
        if (!tookTry) return await LockedAsync(account.Id, now + options.Value.LockoutPeriod, ct);

        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, request.Password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // The try that used up the last one locks the account (once: a lock already set keeps its time).
            var locked = await db.StaffAccounts.Where(a => a.Id == account.Id && a.FailedLogins >= limit && a.LockedUntil == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, now + options.Value.LockoutPeriod), ct) == 1;
            if (locked)
            {
                log.LogWarning("Staff account {StaffId} locked after {Limit} wrong passwords", account.Id, limit);
                return await LockedAsync(account.Id, now + options.Value.LockoutPeriod, ct);
            }
            log.LogInformation("Console login refused for staff account {StaffId}: wrong password", account.Id);
            return StaffLoginProblems.WrongCredentials.ToResult();
        }

        // The right password: the count starts again, and an old hash format is upgraded while the password is at hand.
        var newHash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, request.Password) : account.PasswordHash;
        await db.StaffAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.FailedLogins, 0).SetProperty(a => a.LockedUntil, (DateTime?)null).SetProperty(a => a.PasswordHash, newHash), ct);

        var channel = account.Role == StaffRole.HotlineAgent ? "hotline" : "window";
        var token = await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Staff, account.Id, channel, account.Role, account.StationId), ct);
        log.LogInformation("Staff account {StaffId} logged in to the console", account.Id);
        return TypedResults.Ok(new StaffLoginResponse(token, account.Username, account.DisplayName, account.Role, account.StationId, channel));
    }

    /// <summary>423 with the time the lock ends (tries that are still being checked have not set it yet: then an estimate).</summary>
    private async Task<IResult> LockedAsync(int accountId, DateTime estimate, CancellationToken ct)
    {
        var until = await db.StaffAccounts.Where(a => a.Id == accountId).Select(a => a.LockedUntil).SingleAsync(ct) ?? estimate;
        return StaffLoginProblems.AccountLocked.ToResult(extensions: new Dictionary<string, object?> { ["lockedUntil"] = until });
    }
}

public static class StaffLoginSetup
{
    public static IServiceCollection AddStaffLogin(this IServiceCollection services)
    {
        services.AddValidatedOptions<StaffLoginOptions>("StaffLogin");
        services.AddScoped<StaffLogin>();
        return services;
    }

    public static void MapStaffLogin(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/auth/staff", (StaffLoginRequest body, StaffLogin login, CancellationToken ct) => login.LogInAsync(body, ct))
            .WithTags("Auth").AllowAnonymous()
            .WithSummary("Console login for staff: a session token, or 401 wrong-credentials / 423 account-locked (5 wrong passwords lock for 15 minutes)");
}
