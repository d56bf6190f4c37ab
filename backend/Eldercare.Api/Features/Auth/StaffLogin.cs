using System.ComponentModel.DataAnnotations;
using System.Net;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Auth;

/// <summary>Settings of the "StaffLogin" section (see <see cref="LoginThrottle"/>).</summary>
public sealed class StaffLoginOptions
{
    /// <summary>Wrong passwords in a row, for one username from one address, that lock that name from that address.</summary>
    [Range(1, 100)] public int MaxFailures { get; set; } = 5;

    /// <summary>How long the first such lock lasts; each further one that day lasts twice as long (at most a day).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan LockoutPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wrong passwords from one address, for any names, within <see cref="LockoutPeriod"/>, before it is turned away.</summary>
    [Range(1, 10_000)] public int MaxFailuresPerSource { get; set; } = 20;

    /// <summary>Wrong passwords for one username from all addresses within an hour before it is locked until a manager unlocks it.</summary>
    [Range(1, 10_000)] public int MaxFailuresPerAccount { get; set; } = 50;
}

public sealed record StaffLoginRequest(
    [property: Required, StringLength(64, MinimumLength = 1)] string Username,
    [property: Required, StringLength(128, MinimumLength = 1)] string Password);

public sealed record StaffLoginResponse(string Token, string Username, string DisplayName, StaffRole Role, int? StationId, string Channel);

public static class StaffLoginProblems
{
    public static readonly Problem WrongCredentials = new("wrong-credentials", 401, "用户名或密码不对");
    public static readonly Problem AccountLocked = new("account-locked", 423, "密码错误次数太多，账号已暂时锁定，请稍后再试或找站长解锁");
    public static readonly Problem TooManyAttempts = new("too-many-login-attempts", 429, "这台电脑登录失败次数太多，请稍后再试");
    public static readonly Problem AccountNotFound = new("staff-account-not-found", 404, "没有找到这个工作人员账号");
}

/// <summary>
/// Staff log in to the console with a username and password (hashed with ASP.NET Core Identity's password hasher).
/// Every attempt first takes a try from <see cref="LoginThrottle"/>, which counts wrong passwords per name and address,
/// per address, and per name from everywhere, so guesses arriving at once are no better than guesses one by one, and a
/// guesser elsewhere cannot lock a clerk out of their own window. Unknown usernames go through exactly the same steps
/// and answers as known ones (a wrong password is checked against a dummy hash), so nobody learns which names exist.
/// </summary>
public sealed class StaffLogin(EldercareDb db, SessionStore sessions, LoginThrottle throttle, TimeProvider clock, ILogger<StaffLogin> log)
{
    private static readonly PasswordHasher<StaffAccount> Hasher = new();
    private static readonly StaffAccount Nobody = new() { Username = "", DisplayName = "", PasswordHash = "" };

    // Checked against when the username is unknown, so that a wrong name takes as long as a wrong password.
    private static readonly string NobodysHash = Hasher.HashPassword(Nobody, Guid.NewGuid().ToString());

    public async Task<Outcome<StaffLoginResponse>> LogInAsync(StaffLoginRequest request, IPAddress? source, CancellationToken ct)
    {
        var attempt = await throttle.TakeTryAsync(request.Username, source);
        switch (attempt.Verdict)
        {
            case LoginVerdict.SourceThrottled:
                return new Refusal(StaffLoginProblems.TooManyAttempts, Extensions: RetryAfter(attempt.RetryAfter));
            case LoginVerdict.LockedHere or LoginVerdict.AccountLocked:
                return Locked(attempt.RetryAfter);
        }

        var account = await db.StaffAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Username == request.Username, ct);
        var verdict = account is null
            ? Fail(Hasher.VerifyHashedPassword(Nobody, NobodysHash, request.Password))
            : Hasher.VerifyHashedPassword(account, account.PasswordHash, request.Password);
        if (verdict == PasswordVerificationResult.Failed || account is null)
        {
            if (attempt.RetryAfter > TimeSpan.Zero)
            {
                log.LogWarning("Console logins locked for a username after {Limit} wrong passwords (lockout {Lockouts} today from that address)",
                    throttle.Limit, attempt.LockoutsHere);
                return Locked(attempt.RetryAfter);
            }
            log.LogInformation("Console login refused: wrong username or password");
            return StaffLoginProblems.WrongCredentials;
        }

        // The right password: this address's count starts again, and an old hash format is upgraded while the password is at hand.
        await throttle.SucceededAsync(request.Username, source);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var newHash = Hasher.HashPassword(account, request.Password);
            await db.StaffAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PasswordHash, newHash), ct);
        }

        var channel = account.Role == StaffRole.HotlineAgent ? "hotline" : "window";
        var token = await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Staff, account.Id, channel, account.Role, account.StationId), ct);
        log.LogInformation("Staff account {StaffId} logged in to the console", account.Id);
        return new StaffLoginResponse(token, account.Username, account.DisplayName, account.Role, account.StationId, channel);
    }

    /// <summary>A manager (of the account's station) or an officer clears every lock on a staff account's name.</summary>
    public async Task<Refusal?> UnlockAsync(Actor actor, int accountId, CancellationToken ct)
    {
        var account = await db.StaffAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null) return StaffLoginProblems.AccountNotFound;
        // The account's station's manager, or an officer (the only ones for accounts of no station).
        if (AccessPolicy.CheckRunsStation(actor, account.StationId ?? -1) is { } denied) return denied;
        await throttle.UnlockAsync(account.Username);
        log.LogInformation("Staff account {StaffId} unlocked by staff account {UnlockedBy}", account.Id, actor.Id);
        return null;
    }

    /// <summary>A dummy check that always fails, after the same work as a real one.</summary>
    private static PasswordVerificationResult Fail(PasswordVerificationResult _) => PasswordVerificationResult.Failed;

    private Refusal Locked(TimeSpan retryAfter) =>
        new(StaffLoginProblems.AccountLocked, Extensions: new Dictionary<string, object?> { ["lockedUntil"] = clock.GetUtcNow().UtcDateTime + retryAfter });

    private static Dictionary<string, object?> RetryAfter(TimeSpan wait) => new() { ["retryAfterSeconds"] = (int)Math.Ceiling(wait.TotalSeconds) };
}

public static class StaffLoginSetup
{
    public static IServiceCollection AddStaffLogin(this IServiceCollection services)
    {
        services.AddValidatedOptions<StaffLoginOptions>("StaffLogin");
        services.AddScoped<StaffLogin>();
        services.AddSingleton<LoginThrottle>();
        return services;
    }

    public static void MapStaffLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/staff", async (StaffLoginRequest body, HttpContext http, StaffLogin login, CancellationToken ct) =>
                (await login.LogInAsync(body, http.Connection.RemoteIpAddress, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Auth").AllowAnonymous()
            .Produces<StaffLoginResponse>().WithSummary("Console login for staff: a session token, or 401 wrong-credentials / 423 account-locked (5 wrong passwords from one address lock that name there, growing) / 429 too-many-login-attempts");

        app.MapPost("/api/staff-accounts/{id:int}/unlock", async (int id, Actor actor, StaffLogin login, CancellationToken ct) =>
                await login.UnlockAsync(actor, id, ct) is { } refused ? refused.ToResult() : Results.NoContent())
            .WithTags("Auth").RequireAuthorization().Produces(StatusCodes.Status204NoContent)
            .WithSummary("Unlock a staff account's logins (its station's manager, or an officer)");
    }
}
