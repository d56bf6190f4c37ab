using System.Net;
using System.Net.Http.Headers;
using Eldercare.Api.Features.Sessions;
using Eldercare.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Eldercare.Tests;

/// <summary>Stops and restarts a real redis-server under a running API.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task While_redis_is_down_session_requests_get_503_and_service_resumes_by_itself_when_it_is_back()
    {
        using var redis = new RedisServer();
        await redis.StartAsync();
        using var factory = new ApiFactory(settings: new Dictionary<string, string?> { ["Redis:Configuration"] = redis.Configuration });
        var token = await factory.Services.GetRequiredService<SessionStore>().CreateAsync(new SessionPrincipal(PrincipalKind.Elder, 5, "miniprogram"));
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var anonymous = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/ready"));

        redis.Stop();

        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 503, "session-store-unavailable");
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/live"));
        // Still down, still a clean answer: nothing crashed on the way.
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 503, "session-store-unavailable");

        await redis.StartAsync();

        var resumed = false;
        for (var i = 0; i < 100 && !resumed; i++)
        {
            resumed = (await client.GetAsync("/api/session")).StatusCode == HttpStatusCode.OK;
            if (!resumed) await Task.Delay(100);
        }
        Assert.True(resumed, "the session did not work again within 10 s of Redis coming back");
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/ready"));
    }
}
