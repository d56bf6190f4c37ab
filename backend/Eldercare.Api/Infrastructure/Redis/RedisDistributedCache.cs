using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Eldercare.Api.Infrastructure.Redis;

/// <summary>
/// IDistributedCache over StackExchange.Redis 1.2.6 (the Microsoft package needs Redis client 2.x,
/// which the feed lacks). An entry is a hash: the data, its sliding window and its absolute end;
/// a read with a sliding window pushes the key's expiry forward, never past the absolute end.
/// </summary>
public sealed class RedisDistributedCache(RedisConnection redis, TimeProvider clock) : IDistributedCache
{
    private const string DataField = "data", SlidingField = "sliding-ms", AbsoluteField = "absolute-unix-ms";
    private static readonly RedisValue[] AllFields = [DataField, SlidingField, AbsoluteField];

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var k = redis.Key(key);
        var fields = await redis.Database.HashGetAsync(k, AllFields);
        if (fields[0].IsNull) return null;
        await SlideAsync(k, fields[1], fields[2]);
        return fields[0];
    }

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
