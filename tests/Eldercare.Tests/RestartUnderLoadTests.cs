using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Eldercare.Tests;

/// <summary>Timing matters here, so these run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// A node restarted while its clients keep calling (a deploy, a crash): it must serve them as soon as it listens,
/// not stall its thread pool connecting to Redis on the first request.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class RestartUnderLoadTests(ITestOutputHelper output)
{
    private const int Clients = 64;
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_api_started_under_64_waiting_clients_answers_them_within_seconds_from_the_first_minute()
    {
        using var database = TestDatabase.NewPostgres();
        var environment = ApiProcess.EnvironmentFor(database);
        var load = await ApiProcess.RunToEndAsync(environment, "demo-data", "load");
        Assert.True(load.ExitCode == 0, load.Output);

        // The clients' sessions are in Redis already, as they would be across a restart.
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = TestServers.Redis, KeyPrefix = environment["Redis__KeyPrefix"] }),
            NullLogger<RedisConnection>.Instance);
        await connection.StartConnecting();
        var sessions = new SessionStore(new RedisDistributedCache(connection, TimeProvider.System), Options.Create(new SessionOptions()));
        var tokens = new List<string>();
        for (var i = 0; i < Clients; i++) tokens.Add(await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Service, 1, "hotline")));

        var port = ApiProcess.FreePort();
        var answers = new ConcurrentBag<(TimeSpan At, TimeSpan Waited, bool Ok)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        // Every client calls before the node is up; a refused connection (nothing listening yet) is no request.
        var clients = Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i]);
            var paths = new[] { "/api/session", "/api/elders/communities", $"/api/catalog?elderId={i + 1}" };
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var sent = clock.Elapsed;
                try
                {
                    using var response = await http.GetAsync(paths[n % paths.Length]);
                    answers.Add((sent, clock.Elapsed - sent, response.StatusCode == HttpStatusCode.OK));
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    await Task.Delay(50);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    answers.Add((sent, clock.Elapsed - sent, false)); // no answer in 15 s, or the connection broke
                }
            }
        })).ToList();

        using var api = ApiProcess.StartOn(port, environment);
        var started = clock.Elapsed;
        await Task.Delay(Measured);
        stop.Cancel();
        await Task.WhenAll(clients);

        var firstMinute = answers.Where(a => a.At >= started && a.At < started + Measured).ToList();
        var ok = firstMinute.Count(a => a.Ok);
        var longest = firstMinute.Max(a => a.Waited);
        var firstOk = firstMinute.Where(a => a.Ok).Select(a => a.At + a.Waited - started).DefaultIfEmpty(Measured).Min();
        output.WriteLine($"{firstMinute.Count} requests in the first minute, {ok} answered 200, longest wait {longest.TotalSeconds:0.0} s, first success {firstOk.TotalSeconds:0.0} s after the start");
        Assert.False(api.HasExited, api.Output);
        Assert.True(firstMinute.Count >= Clients, $"only {firstMinute.Count} requests were answered\n{api.Output}");
        Assert.True(ok >= firstMinute.Count * 0.95, $"{ok} of {firstMinute.Count} requests succeeded in the first minute");
        Assert.True(longest <= TimeSpan.FromSeconds(5), $"a request waited {longest.TotalSeconds:0.0} s");
    }
}
