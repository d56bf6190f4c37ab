using System.Net;
using System.Text.Json;
using Eldercare.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Eldercare.Tests;

public sealed class HealthAndErrorsTests : IClassFixture<HealthAndErrorsTests.Factory>
{
    private readonly Factory _factory;
    public HealthAndErrorsTests(Factory factory) => _factory = factory;

    /// <summary>The API plus one endpoint that fails the way a bug would, to see what callers get then.</summary>
    public sealed class Factory : ApiFactory
    {
        public const string Secret = "db password=hunter2 at 110108194912310012";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new FailingEndpoint()));
        }

        private sealed class FailingEndpoint : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                next(app);
                app.Map("/test/bug", b => b.Run(_ => throw new InvalidOperationException(Secret)));
            };
        }
    }

    [Fact]
    public async Task Liveness_and_readiness_report_healthy_when_database_redis_and_scheduler_work()
    {
        var client = _factory.CreateClient();

        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());

        var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        request.Headers.Accept.ParseAdd("application/json");
        var detail = JsonDocument.Parse(await (await client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        foreach (var check in new[] { "database", "redis", "scheduler" })
            Assert.Equal("Healthy", detail.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unknown_route_is_a_not_found_problem_in_chinese()
    {
        var response = await _factory.CreateClient().GetAsync("/api/no-such-thing");
        var body = await HttpAssert.ProblemAsync(response, 404, "not-found");
        Assert.Equal("没有找到您要的内容", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_a_method_not_allowed_problem()
    {
        var response = await _factory.CreateClient().PutAsync("/api/session", new StringContent("{}"));
        await HttpAssert.ProblemAsync(response, 405, "method-not-allowed");
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_that_never_shows_the_exception_text()
    {
        var response = await _factory.CreateClient().GetAsync("/test/bug");
        await HttpAssert.ProblemAsync(response, 500, "internal-error");
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("110108", text);
    }

    [Fact]
    public async Task The_openapi_document_and_swagger_ui_are_served()
    {
        var client = _factory.CreateClient();
        var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/session", out _));
        var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());
    }
}
