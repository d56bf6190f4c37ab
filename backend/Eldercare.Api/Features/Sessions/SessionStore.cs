using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eldercare.Api.Domain;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Sessions;

public sealed class SessionOptions
{
    /// <summary>A session ends after this long without a request (sliding expiry).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")] public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>A session ends this long after login however busy it is.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "90.00:00:00")] public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(12);
}

public enum PrincipalKind { Staff, Family, Elder, Service }

/// <summary>Who a session acts as. Deliberately holds ids and roles only, no names or phone numbers.</summary>
public sealed record SessionPrincipal(PrincipalKind Kind, int Id, string Channel, StaffRole? Role = null, int? StationId = null);

/// <summary>
/// Opaque session tokens kept in Redis (through IDistributedCache) with sliding expiry. Redis holds
/// only a hash of each token, so a copy of its data cannot be replayed as a login.
/// </summary>
public sealed class SessionStore(IDistributedCache cache, IOptions<SessionOptions> options)
{
    public async Task<string> CreateAsync(SessionPrincipal principal, CancellationToken ct = default)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        await cache.SetAsync(Key(token), JsonSerializer.SerializeToUtf8Bytes(principal), new DistributedCacheEntryOptions
        {
            SlidingExpiration = options.Value.IdleTimeout,
            AbsoluteExpirationRelativeToNow = options.Value.MaxLifetime,
        }, ct);
        return token;
    }

    /// <summary>The principal of a live session (and its idle clock restarted), or null for an unknown or expired token.</summary>
    public async Task<SessionPrincipal?> FindAsync(string token, CancellationToken ct = default)
    {
        if (token.Length is 0 or > 100) return null;
        var data = await cache.GetAsync(Key(token), ct);
        return data is null ? null : JsonSerializer.Deserialize<SessionPrincipal>(data);
    }

    public Task EndAsync(string token, CancellationToken ct = default) => cache.RemoveAsync(Key(token), ct);

    private static string Key(string token) => "session:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
