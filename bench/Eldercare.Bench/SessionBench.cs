using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Eldercare.Bench.BenchSupport;

namespace Eldercare.Bench;

/// <summary>
/// ./eldercare.sh bench sessions: the session look-up every request makes (SessionStore.FindAsync: read the session and
/// restart its idle clock), through the hub's own cache (one script per read) and through Microsoft's RedisCache
/// (Microsoft.Extensions.Caching.StackExchangeRedis), against the same redis-server, with redis-benchmark's plain GET
/// from the same clients in the same run as the machine's limit. It prints reads per second, latency, and the Redis
/// commands each read costs.
/// </summary>
public static class SessionBench
{
    private const int Sessions = 2_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 10);
        var clients = Option(args, "--clients", 64);
        var redis = Env("ELDERCARE_BENCH_REDIS");
        var prefix = $"bench-{Guid.NewGuid():N}:";
        await using var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = redis, KeyPrefix = prefix }), NullLogger<RedisConnection>.Instance);
        await connection.StartConnecting();
        using var microsoft = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = redis, InstanceName = prefix + "ms:" }));
        Console.WriteLine($"Session look-up benchmark: {clients} clients, {seconds} s each, {Sessions} live sessions, on {Environment.ProcessorCount} cores");

        var rows = new List<(string Name, Measured M, double CommandsPerRead)>();
        foreach (var (name, cache) in new (string, IDistributedCache)[] { ("the hub's cache (script)", new RedisDistributedCache(connection, TimeProvider.System)), ("Microsoft RedisCache", microsoft) })
        {
            var store = new SessionStore(cache, Options.Create(new Eldercare.Api.Features.Sessions.SessionOptions()));
            var tokens = new string[Sessions];
            for (var i = 0; i < Sessions; i++) tokens[i] = await store.CreateAsync(new SessionPrincipal(PrincipalKind.Family, i + 1, "MiniProgram"));
            await MeasureAsync(store, tokens, clients, TimeSpan.FromSeconds(2)); // warm-up
            var before = await CommandsProcessedAsync(redis);
            var measured = await MeasureAsync(store, tokens, clients, TimeSpan.FromSeconds(seconds));
            var commands = await CommandsProcessedAsync(redis) - before - 1; // less the first INFO
            rows.Add((name, measured, (double)commands / measured.Reads));
        }
        var get = RedisBenchmarkGet(redis, clients);

        Console.WriteLine();
        Console.WriteLine("| session look-up through | reads/s | p50 ms | p99 ms | Redis commands per read | reads/s / redis-benchmark GET/s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, m, perRead) in rows)
            Console.WriteLine($"| {name} | {m.PerSecond:0} | {m.P50:0.00} | {m.P99:0.00} | {perRead:0.0} | {m.PerSecond / get:0.00} |");
        Console.WriteLine();
        Console.WriteLine($"redis-benchmark -t get -c {clients} (same server, same run): {get:0} GET/s");
        return 0;
    }

    private sealed record Measured(long Reads, double PerSecond, double P50, double P99);

    private static async Task<Measured> MeasureAsync(SessionStore store, string[] tokens, int clients, TimeSpan length)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var latencies = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>();
            for (var i = c; Stopwatch.GetTimestamp() < deadline; i += clients)
            {
                var started = Stopwatch.GetTimestamp();
                if (await store.FindAsync(tokens[i % tokens.Length]) is null) throw new InvalidOperationException("a live session was not found");
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return mine;
        })));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Measured(all.Length, all.Length / length.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    }

    /// <summary>The server's count of commands it has run (redis-cli INFO stats: the hub's connection is not an admin one).</summary>
    private static async Task<long> CommandsProcessedAsync(string redis)
    {
        var (host, port) = HostPort(redis);
        using var cli = Process.Start(new ProcessStartInfo("redis-cli", ["-h", host, "-p", port, "INFO", "stats"]) { RedirectStandardOutput = true })!;
        var info = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return long.Parse(Regex.Match(info, @"total_commands_processed:(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static (string Host, string Port) HostPort(string redis) => (redis[..redis.LastIndexOf(':')], redis[(redis.LastIndexOf(':') + 1)..]);

    private static double RedisBenchmarkGet(string redis, int clients)
    {
        var (host, port) = HostPort(redis);
        using var run = Process.Start(new ProcessStartInfo("redis-benchmark", ["-h", host, "-p", port, "-t", "get", "-n", "300000", "-c", clients.ToString(CultureInfo.InvariantCulture), "-q"])
        { RedirectStandardOutput = true })!;
        var output = run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        return double.Parse(Regex.Match(output, @"GET: ([0-9.]+) requests per second").Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
