using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Eldercare.Api.Infrastructure.Redis;

/// <summary>
/// IDistributedCache over the hub's Redis connection, for sessions: one round trip per read (a script reads the entry
/// and slides its expiry on the server), which Microsoft's RedisCache does in two. An entry is a hash: the data, its
/// sliding window and its absolute end; a read with a sliding window pushes the key's expiry forward, never past the
/// absolute end. The synchronous members exist for the interface; the hub calls only the asynchronous ones.
/// </summary>
public sealed class RedisDistributedCache(RedisConnection redis, TimeProvider clock) : IDistributedCache
{
    private const string DataField = "data", SlidingField = "sliding-ms", AbsoluteField = "absolute-unix-ms";

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        // One round trip: read the entry and push its expiry forward on the server (every request's session
        // lookup comes through here).
        var result = await redis.Database.ScriptEvaluateAsync(GetAndSlideScript, [redis.Key(key)],
            [clock.GetUtcNow().ToUnixTimeMilliseconds()]);
        return result.IsNull ? null : (byte[]?)result;
    }

    private const string GetAndSlideScript = """
        local v = redis.call('HMGET', KEYS[1], 'data', 'sliding-ms', 'absolute-unix-ms')
        if not v[1] then return false end
        local sliding = tonumber(v[2])
        if sliding and sliding >= 0 then
          local ttl = sliding
          local absolute = tonumber(v[3])
          if absolute and absolute >= 0 and absolute - tonumber(ARGV[1]) < ttl then ttl = absolute - tonumber(ARGV[1]) end
          if ttl <= 0 then redis.call('DEL', KEYS[1]) return false end
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        return v[1]
        """;

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var now = clock.GetUtcNow();
        var absolute = options.AbsoluteExpiration ?? (options.AbsoluteExpirationRelativeToNow is { } rel ? now + rel : null);
        var sliding = options.SlidingExpiration;
        var k = redis.Key(key);
        var tx = redis.Database.CreateTransaction();
        _ = tx.KeyDeleteAsync(k);
        _ = tx.HashSetAsync(k, [
            new HashEntry(DataField, value),
            new HashEntry(SlidingField, sliding is { } s ? (long)s.TotalMilliseconds : -1),
            new HashEntry(AbsoluteField, absolute?.ToUnixTimeMilliseconds() ?? -1),
        ]);
        var expiry = NextExpiry(now, sliding, absolute);
        if (expiry is { } e) _ = tx.KeyExpireAsync(k, e);
        await tx.ExecuteAsync();
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var k = redis.Key(key);
        var fields = await redis.Database.HashGetAsync(k, [SlidingField, AbsoluteField]);
        await SlideAsync(k, fields[0], fields[1]);
    }

    public void Remove(string key) => redis.Database.KeyDelete(redis.Key(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => redis.Database.KeyDeleteAsync(redis.Key(key));

    private async Task SlideAsync(RedisKey key, RedisValue slidingMs, RedisValue absoluteUnixMs)
    {
        if (slidingMs.IsNull || (long)slidingMs < 0) return;
        DateTimeOffset? absolute = (long)absoluteUnixMs < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)absoluteUnixMs);
        var expiry = NextExpiry(clock.GetUtcNow(), TimeSpan.FromMilliseconds((long)slidingMs), absolute);
        if (expiry is { } e) await redis.Database.KeyExpireAsync(key, e);
    }

    private static TimeSpan? NextExpiry(DateTimeOffset now, TimeSpan? sliding, DateTimeOffset? absolute)
    {
        var untilAbsolute = absolute - now;
        if (sliding is null) return untilAbsolute;
        return untilAbsolute is { } a && a < sliding ? a : sliding;
    }
}
