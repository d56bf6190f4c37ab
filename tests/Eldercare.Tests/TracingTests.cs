using System.Collections.Concurrent;
using System.Diagnostics;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// With an OTLP collector configured, one request is one trace: the request's own span and its Redis commands (the
/// session look-up) carry the trace the caller sent in its traceparent, as the hotline's do. (Its database commands
/// join it too, but EF Core shares its diagnostics across the test process's hosts and decides once whether anyone
/// listens, so a test run after an untraced host cannot count on seeing them; a process of its own, as in production, does.)
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class TracingTests
{
    [Fact]
    public async Task A_request_and_its_redis_commands_are_one_trace()
    {
        var seen = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        // Nothing listens there: the exporter's failures stay in the background, the spans are made all the same.
        using var api = new ApiFactory(settings: new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" });
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);
        var elder = await s.AddElderAsync(station: 1);

        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/bookings?elderId={elder.Id}"); // the session in Redis, the bookings in the database
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        (await clerk.SendAsync(request)).EnsureSuccessStatusCode();

        string[] SourcesOfTrace() => seen.Where(a => a.TraceId == trace).Select(a => a.Source.Name).Distinct().ToArray();
        bool All(string[] found) => found.Contains("Microsoft.AspNetCore") && found.Any(n => n.Contains("StackExchangeRedis", StringComparison.Ordinal));
        for (var i = 0; i < 100 && !All(SourcesOfTrace()); i++) await Task.Delay(100); // Redis spans are drained every second
        var sources = SourcesOfTrace();
        Assert.Contains("Microsoft.AspNetCore", sources);
        Assert.Contains(sources, n => n.Contains("StackExchangeRedis", StringComparison.Ordinal));
    }
}
