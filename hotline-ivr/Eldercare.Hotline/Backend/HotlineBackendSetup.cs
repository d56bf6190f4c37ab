using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Eldercare.Hotline.Backend;

/// <summary>
/// The one way a <see cref="HotlineBackend"/> is built, by the hotline and by the tests alike: an HttpClient from
/// IHttpClientFactory with the standard resilience pipeline, set for a caller who is waiting on the line.
/// </summary>
public static class HotlineBackendSetup
{
    public const string HttpClientName = "eldercare-api";

    /// <summary>
    /// <paramref name="primary"/>: what carries the requests (tests put the API in-process, or a failing proxy, here);
    /// by default real sockets whose connections are renewed every few minutes, so DNS changes are seen.
    /// </summary>
    public static IServiceCollection AddHotlineBackend(this IServiceCollection services, Func<HttpMessageHandler>? primary = null)
    {
        services.AddHttpClient(HttpClientName, (sp, http) =>
            {
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<HotlineOptions>>().Value.ApiBaseUrl);
                http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts apply
            })
            .ConfigurePrimaryHttpMessageHandler(primary ?? (() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((o, sp) => ForACallerOnTheLine(o, sp.GetRequiredService<IOptions<HotlineOptions>>().Value.ApiTimeout));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<HotlineOptions>>().Value;
            return new HotlineBackend(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), o.ServiceKey, WholeRequest(o.ApiTimeout) + o.ApiTimeout);
        });
        return services;
    }

    /// <summary>A backend on its own services (tests, the benchmark): the same registration, for one API.</summary>
    public static HotlineBackend Create(Uri apiBaseUrl, string serviceKey, TimeSpan? answerTimeout = null, Func<HttpMessageHandler>? primary = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(Options.Create(new HotlineOptions
        {
            ApiBaseUrl = apiBaseUrl.ToString(), ServiceKey = serviceKey, ApiTimeout = answerTimeout ?? new HotlineOptions().ApiTimeout,
        }));
        return services.AddHotlineBackend(primary).BuildServiceProvider().GetRequiredService<HotlineBackend>();
    }

    /// <summary>
    /// Each answer is waited for <paramref name="answerTimeout"/>, and a failed request that is safe to repeat (a read, a
    /// keyed write, or one marked <see cref="HotlineBackend.MayRepeat"/>) is sent once more straight away: a caller is
    /// listening to silence meanwhile. When half of at least ten requests in 30 s fail, the circuit opens for 5 s and
    /// requests fail at once, so callers are put through to a person without first waiting for a dead API.
    /// </summary>
    private static void ForACallerOnTheLine(HttpStandardResilienceOptions o, TimeSpan answerTimeout)
    {
        o.AttemptTimeout.Timeout = answerTimeout;
        o.TotalRequestTimeout.Timeout = WholeRequest(answerTimeout);
        o.Retry.MaxRetryAttempts = 1;
        o.Retry.BackoffType = DelayBackoffType.Constant;
        o.Retry.Delay = TimeSpan.FromMilliseconds(100);
        o.Retry.ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome) && MayRepeat(args.Context.GetRequestMessage()));
        o.CircuitBreaker.FailureRatio = 0.5;
        o.CircuitBreaker.MinimumThroughput = 10;
        o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, answerTimeout.TotalSeconds * 2));
        o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
    }

    /// <summary>Two tries and the pause between them.</summary>
    private static TimeSpan WholeRequest(TimeSpan answerTimeout) => answerTimeout * 2 + TimeSpan.FromSeconds(1);

    private static bool MayRepeat(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Headers.Contains("Idempotency-Key")
            || (request.Options.TryGetValue(HotlineBackend.MayRepeat, out var marked) && marked));
}
