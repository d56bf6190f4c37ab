using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Eldercare.Tests;

public sealed class SessionTests
{
    private static HttpClient ClientWith(ApiFactory factory, string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Starts the API first, so that start-up time does not eat into short session lifetimes.</summary>
    private static async Task<string> NewSessionAsync(ApiFactory factory, SessionPrincipal principal)
    {
        await factory.CreateClient().GetAsync("/health/live");
        return await factory.Services.GetRequiredService<SessionStore>().CreateAsync(principal);
    }

    [Fact]
    public async Task A_session_token_identifies_its_holder_until_logout()
    {
        using var factory = new ApiFactory();
        var token = await NewSessionAsync(factory, new SessionPrincipal(PrincipalKind.Staff, 7, "window", StaffRole.Clerk, StationId: 2));
        var client = ClientWith(factory, token);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.Equal("Staff", me.GetProperty("kind").GetString());
        Assert.Equal(7, me.GetProperty("id").GetInt32());
        Assert.Equal("Clerk", me.GetProperty("role").GetString());
        Assert.Equal(2, me.GetProperty("stationId").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/session")).StatusCode);
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 401, "unauthenticated");
    }

    [Fact]
    public async Task Missing_or_unknown_tokens_are_refused_with_a_problem()
    {
        using var factory = new ApiFactory();
        await HttpAssert.ProblemAsync(await factory.CreateClient().GetAsync("/api/session"), 401, "unauthenticated");
        await HttpAssert.ProblemAsync(await ClientWith(factory, "made-up-token").GetAsync("/api/session"), 401, "unauthenticated");
        await HttpAssert.ProblemAsync(await ClientWith(factory, new string('x', 5000)).GetAsync("/api/session"), 401, "unauthenticated");
    }

    [Fact]
    public async Task Redis_holds_only_a_hash_of_each_token()
    {
        using var factory = new ApiFactory();
        var token = await NewSessionAsync(factory, new SessionPrincipal(PrincipalKind.Family, 3, "miniprogram"));
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);
        var keys = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: factory.Setting("Redis:KeyPrefix") + "*").Select(k => (string)k!).ToList();
        Assert.Single(keys);
        Assert.DoesNotContain(token, keys[0]);
    }

    [Fact]
    public async Task An_idle_session_expires_and_each_request_restarts_its_idle_clock()
    {
        using var factory = new ApiFactory(settings: new Dictionary<string, string?> { ["Sessions:IdleTimeout"] = "00:00:02" });
        var client = ClientWith(factory, await NewSessionAsync(factory, new SessionPrincipal(PrincipalKind.Elder, 11, "miniprogram")));

        // Used every 1.2 s for 4.8 s in all: longer than the idle timeout, so only sliding expiry keeps it alive.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);
            await Task.Delay(1200);
        }
        await Task.Delay(2500);
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 401, "unauthenticated");
    }

    [Fact]
    public async Task A_busy_session_still_ends_at_its_maximum_lifetime()
    {
        using var factory = new ApiFactory(settings: new Dictionary<string, string?>
        {
            ["Sessions:IdleTimeout"] = "00:00:10",
            ["Sessions:MaxLifetime"] = "00:00:12",
        });
        var client = ClientWith(factory, await NewSessionAsync(factory, new SessionPrincipal(PrincipalKind.Elder, 12, "miniprogram")));
        // Used every 4 s, so never idle for 10 s; still it ends 12 s after login (wide margins for a busy machine).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);
        await Task.Delay(4000);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);
        await Task.Delay(4000);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);
        await Task.Delay(6000);
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 401, "unauthenticated");
    }

    [Fact]
    public async Task The_distributed_cache_stores_refreshes_and_removes_entries_in_redis()
    {
        using var factory = new ApiFactory();
        var cache = factory.Services.GetRequiredService<IDistributedCache>();
        Assert.IsType<RedisDistributedCache>(cache);

        // Generous margins: this machine is shared, and a sleep may last longer than asked.
        await cache.SetAsync("a", [1, 2, 3], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) });
        await cache.SetStringAsync("b", "长期", new DistributedCacheEntryOptions());
        await Task.Delay(2000);
        await cache.RefreshAsync("a");
        await Task.Delay(2000);
        Assert.Equal([1, 2, 3], await cache.GetAsync("a")); // 4 s after it was set: alive only because it was refreshed
        await Task.Delay(4000);
        Assert.Null(await cache.GetAsync("a"));

        Assert.Equal("长期", await cache.GetStringAsync("b"));
        await cache.RemoveAsync("b");
        Assert.Null(await cache.GetStringAsync("b"));

        await cache.SetAsync("c", [9], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(2) });
        Assert.Equal([9], await cache.GetAsync("c"));
        await Task.Delay(3000);
        Assert.Null(await cache.GetAsync("c"));
    }
}
