using System.Net;
using Eldercare.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Eldercare.Tests;

/// <summary>
/// Who may call what, for every endpoint the API maps: without a session each one answers 401, except the few that
/// are open on purpose (log-ins, health, WeChat Pay's notifications, the API's description). A new endpoint that
/// forgets to say who may call it is closed by the fallback policy; one made open must be added to the list here.
/// </summary>
public sealed class EndpointAccessTests : IDisposable
{
    private readonly ApiFactory api = new();

    public void Dispose() => api.Dispose();

    private static readonly HashSet<string> OpenOnPurpose =
    [
        "GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi/{documentName}.json",
        "POST /api/auth/staff", "POST /api/auth/service", "POST /api/auth/wechat/", "POST /api/wechat-pay/notify",
    ];

    private IEnumerable<(string Method, RouteEndpoint Endpoint)> Endpoints() =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e)));

    [Fact]
    public async Task Every_endpoint_but_the_open_ones_refuses_a_caller_without_a_session()
    {
        var client = api.CreateClient();
        var endpoints = Endpoints().ToList();
        Assert.True(endpoints.Count > 60, $"only {endpoints.Count} endpoints found");

        var open = endpoints.Where(x => x.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(x => $"{x.Method} {x.Endpoint.RoutePattern.RawText}").ToHashSet();
        open.Remove("GET /console/{**path}"); // "the console is not built yet", where it is not (the built console is static files)
        Assert.Equal(OpenOnPurpose.Order(), open.Order());

        var answeredWithoutSession = new List<string>();
        foreach (var (method, endpoint) in endpoints.Where(x => x.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null))
        {
            // Route values that parse for any constraint ({id:long}, {stationId:int}, {**path}).
            var path = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText ?? "", @"\{\*{0,2}[^}]+\}", "1");
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            var answer = await client.SendAsync(request);
            if (answer.StatusCode != HttpStatusCode.Unauthorized) answeredWithoutSession.Add($"{method} {endpoint.RoutePattern.RawText} → {(int)answer.StatusCode}");
        }
        Assert.Empty(answeredWithoutSession);
    }

    [Fact]
    public void Every_endpoint_whose_request_names_an_elder_checks_that_the_caller_may_act_for_them()
    {
        var unguarded = Endpoints()
            .Where(x => x.Endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.GetParameters()
                .Any(p => typeof(Eldercare.Api.Features.Sessions.IForElder).IsAssignableFrom(p.ParameterType)) == true)
            .Where(x => x.Endpoint.Metadata.GetMetadata<Eldercare.Api.Features.Sessions.ElderAccess.Guarded>() is not { Write: true })
            .Select(x => $"{x.Method} {x.Endpoint.RoutePattern.RawText}").ToList();
        Assert.Empty(unguarded); // each needs .ForElder(write: true): a body naming an elder books, joins or plans for them
        Assert.Contains(Endpoints(), x => x.Endpoint.Metadata.GetMetadata<Eldercare.Api.Features.Sessions.ElderAccess.Guarded>() is { Write: false });
    }
}

/// <summary>The API's description and Swagger UI are served where they are wanted, and not where they are switched off.</summary>
public sealed class ApiDocsTests
{
    [Fact]
    public async Task Switched_off_the_api_description_and_its_browser_are_not_served()
    {
        using var api = new ApiFactory(settings: new Dictionary<string, string?> { ["ApiDocs:Publish"] = "false" });
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger/index.html")).StatusCode);
    }
}
