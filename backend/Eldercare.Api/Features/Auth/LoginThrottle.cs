using System.Net;
using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Eldercare.Api.Features.Auth;

/// <summary>What the throttle says about a login attempt before the password is checked.</summary>
public enum LoginVerdict { Check, LockedHere, AccountLocked, SourceThrottled }

/// <summary>
/// The throttle's answer. For <see cref="LoginVerdict.Check"/>, a non-zero <see cref="RetryAfter"/> says this was the
/// last try: a wrong password now locks for that long.
/// </summary>
public sealed record LoginTry(LoginVerdict Verdict, TimeSpan RetryAfter, int LockoutsHere);

/// <summary>
/// Limits password guessing without handing anyone a way to lock others out, the same for usernames that exist and
/// those that do not (so the answers tell nobody which names exist). Counted in Redis, each attempt taking its try in
/// one script before its password is checked, so however many arrive at once only the allowed number are checked:
/// <list type="bullet">
/// <item>per username and source address: <c>MaxFailures</c> wrong passwords in a row lock that name from that
/// address only, for <c>LockoutPeriod</c>, doubling with each further lockout that day (up to a day). Someone
/// guessing from one address never locks the clerk out at the window's own machine;</item>
/// <item>per source address: <c>MaxFailuresPerSource</c> wrong passwords within <c>LockoutPeriod</c> for any names
/// turn that address away (429), so it cannot spray names;</item>
/// <item>per username from all addresses: <c>MaxFailuresPerAccount</c> within an hour lock the name everywhere until a
/// station manager or officer unlocks it (or a day passes): guessing spread over many addresses stops too.</item>
/// </list>
/// The right password clears the count of its own address. Behind a load balancer the source is the forwarded address
/// of a trusted proxy (<c>Network:TrustedProxies</c>).
/// </summary>
public sealed class LoginThrottle(RedisConnection redis, IOptions<StaffLoginOptions> options)
{
    private static readonly TimeSpan AccountWindow = TimeSpan.FromHours(1);

    public int Limit => options.Value.MaxFailures;
    private static readonly TimeSpan LongestLock = TimeSpan.FromDays(1);

    /// <summary>Takes a try for this name from this address; <see cref="LoginVerdict.Check"/> means the password may be checked.</summary>
    public async Task<LoginTry> TakeTryAsync(string username, IPAddress? source)
    {
        var o = options.Value;
        var result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(TakeTryScript,
            [redis.Key("login:" + Name(username)), redis.Key("login-source:" + Source(source))],
            [Source(source), o.MaxFailures, (long)o.LockoutPeriod.TotalMilliseconds, (long)LongestLock.TotalMilliseconds,
             o.MaxFailuresPerSource, o.MaxFailuresPerAccount, (long)AccountWindow.TotalMilliseconds]))!;
        return new LoginTry((LoginVerdict)(int)result[0], TimeSpan.FromMilliseconds((long)result[1]), (int)result[2]);
    }

    /// <summary>The right password: this address's count for the name starts again, and the try it took is given back.</summary>
    public Task SucceededAsync(string username, IPAddress? source) =>
        redis.Database.ScriptEvaluateAsync(SucceededScript, [redis.Key("login:" + Name(username)), redis.Key("login-source:" + Source(source))], [Source(source)]);

    /// <summary>A manager unlocks a name: every address's count and the account-wide lock are cleared.</summary>
    public Task UnlockAsync(string username) => redis.Database.KeyDeleteAsync(redis.Key("login:" + Name(username)));

    // One hash per username: "n:<source>" failures in a row from that address (its expiry kept in "u:<source>", the
    // lock's end), "l:<source>" lockouts today, "all" failures from everywhere this hour, "locked" the account-wide lock.
    // Expiries of single fields are kept by hand (Redis 7.0 has no per-field TTL): times are the server's own clock.
    private const string TakeTryScript = """
        local now = tonumber(redis.call('TIME')[1]) * 1000
        local src, maxHere, baseMs, longestMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local maxSource, maxAccount, accountMs = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
        local user, source = KEYS[1], KEYS[2]
        local sourceFails = tonumber(redis.call('GET', source) or '0')
        if sourceFails >= maxSource then return {3, redis.call('PTTL', source), 0} end
        local lockedUntil = tonumber(redis.call('HGET', user, 'locked') or '0')
        if lockedUntil > now then return {2, lockedUntil - now, 0} end
        local hereUntil = tonumber(redis.call('HGET', user, 'u:' .. src) or '0')
        local here = tonumber(redis.call('HGET', user, 'n:' .. src) or '0')
        local lockouts = tonumber(redis.call('HGET', user, 'l:' .. src) or '0')
        if hereUntil <= now then here = 0 end
        if here >= maxHere then return {1, hereUntil - now, lockouts} end
        local allUntil = tonumber(redis.call('HGET', user, 'au') or '0')
        local all = tonumber(redis.call('HGET', user, 'all') or '0')
        if allUntil <= now then all = 0; allUntil = now + accountMs end
        -- Take the try everywhere it counts.
        here = here + 1
        all = all + 1
        -- A try that uses up the last one says how long the lock it sets will last, should its password be wrong.
        local endsAt = now + baseMs
        local lockMs = 0
        if here >= maxHere then
          lockMs = math.min(baseMs * (2 ^ lockouts), longestMs)
          endsAt = now + lockMs
          lockouts = lockouts + 1
          redis.call('HSET', user, 'l:' .. src, lockouts)
        end
        redis.call('HSET', user, 'n:' .. src, here, 'u:' .. src, endsAt, 'all', all, 'au', allUntil)
        if all >= maxAccount then
          redis.call('HSET', user, 'locked', now + longestMs)
          lockMs = longestMs
        end
        redis.call('PEXPIRE', user, longestMs)
        redis.call('INCR', source)
        if redis.call('PTTL', source) < 0 then redis.call('PEXPIRE', source, baseMs) end
        return {0, lockMs, lockouts}
        """;

    private const string SucceededScript = """
        redis.call('HDEL', KEYS[1], 'n:' .. ARGV[1], 'u:' .. ARGV[1])
        local all = tonumber(redis.call('HGET', KEYS[1], 'all') or '0')
        if all > 0 then redis.call('HSET', KEYS[1], 'all', all - 1) end
        local fails = tonumber(redis.call('GET', KEYS[2]) or '0')
        if fails > 0 then redis.call('DECR', KEYS[2]) end
        return 1
        """;

    /// <summary>Usernames are compared as typed, case-insensitively; the key holds a hash, never the name.</summary>
    private static string Name(string username) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username.Trim().ToLowerInvariant())))[..32];

    private static string Source(IPAddress? address) => address is null ? "none" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
