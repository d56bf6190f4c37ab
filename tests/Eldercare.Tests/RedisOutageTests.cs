using System.Net;
using System.Net.Http.Headers;
using Eldercare.Api.Features.Sessions;
using Eldercare.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eldercare.Tests;

/// <summary>Stops and restarts a real redis-server under a running API.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task While_redis_is_down_session_requests_get_503_and_service_resumes_by_itself_when_it_is_back()
    {
        using var redis = new RedisServer();
        await redis.StartAsync();
        using var factory = new LoggedApi(redis.Configuration);
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

        // Many requests during the outage, one warning: no stack trace per request.
        for (var i = 0; i < 30; i++) await client.GetAsync("/api/session");
        Assert.Single(factory.Logs.Entries, e => e.Message.StartsWith("Redis cannot be reached"));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Exception is not null && e.Level >= LogLevel.Warning);

        await redis.StartAsync();

        var resumed = false;
        for (var i = 0; i < 100 && !resumed; i++)
        {
            resumed = (await client.GetAsync("/api/session")).StatusCode == HttpStatusCode.OK;
            if (!resumed) await Task.Delay(100);
        }
        Assert.True(resumed, "the session did not work again within 10 s of Redis coming back");
        var back = await factory.Logs.WaitForAsync(e => e.Message.StartsWith("Redis is reachable again"));
        Assert.Contains("requests were turned away", back.Message);
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/ready"));
    }
}

/// <summary>An API on a Redis of its own whose log lines the test reads.</summary>
public sealed class LoggedApi(string redis) : ApiFactory(settings: new Dictionary<string, string?> { ["Redis:Configuration"] = redis })
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
    }
}
