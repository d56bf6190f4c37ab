using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Bench;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

using static Eldercare.Bench.BenchSupport;

// ./eldercare.sh bench booking: the booking engine under concurrent clients on SQLite and PostgreSQL,
// with PostgreSQL's own pgbench on the same server in the same run for scale.
// ./eldercare.sh bench reminders: a minute's worth of due reminders dispatched by one node, then by two.
// ./eldercare.sh bench hotline: simultaneous calls booking by keys over real SIP.
// ./eldercare.sh bench sessions: the session look-up every request makes, through the hub's cache and Microsoft's RedisCache.
switch (args.FirstOrDefault())
{
    case "sessions": return await SessionBench.RunAsync(args);
    case "reminders": return await ReminderBench.RunAsync(args);
    case "hotline": return await HotlineBench.RunAsync(args);
    case "booking": break;
    default:
        Console.Error.WriteLine("usage: Eldercare.Bench booking [--seconds N] [--clients N] | reminders [--reminders N] | hotline [--calls N] | sessions [--seconds N] [--clients N]");
        return 2;
}
var seconds = Option(args, "--seconds", 20);
var clients = Option(args, "--clients", 64);
var redis = Env("ELDERCARE_BENCH_REDIS");
var postgresAdmin = Env("ELDERCARE_BENCH_POSTGRES");
var apiDll = Env("ELDERCARE_BENCH_API_DLL");
var pgbench = Env("ELDERCARE_BENCH_PGBENCH");

Console.WriteLine($"Booking benchmark: {clients} clients, {seconds} s of mixed load per database, on {Environment.ProcessorCount} cores");
var results = new List<Result>();
foreach (var provider in new[] { "Sqlite", "Postgres" })
    results.Add(await RunAsync(provider));
var tps = await PgbenchAsync();

Console.WriteLine();
Console.WriteLine("| database | bookings/s | booking p50 ms | booking p99 ms | refused (full/busy) | errors | oversold slots | 09:00 burst: booked of 300 | availability p99 ms |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var r in results)
    Console.WriteLine($"| {r.Provider} | {r.BookingsPerSecond:0} | {r.P50:0.0} | {r.P99:0.0} | {r.Refused} | {r.Errors} | {r.Oversold} | {r.BurstBooked} | {r.AvailabilityP99:0.0} |");
var pg = results.Single(r => r.Provider == "Postgres");
Console.WriteLine();
Console.WriteLine($"pgbench (TPC-B, {clients} clients, same server, same run): {tps:0} tps");
Console.WriteLine($"pgbench replaying one booking's own statements (booking.pgbench, {clients} clients, API stopped): {pg.BookingSqlTps:0} tps = {pg.BookingSqlTps / tps:0.00} x TPC-B, "
    + "the most bookings/s PostgreSQL can take on this machine whatever the API does");
Console.WriteLine($"PostgreSQL booking throughput / pgbench tps = {pg.BookingsPerSecond / tps:0.00} (target >= 0.5); booking p99 {pg.P99:0} ms (target < 100); availability p99 {pg.AvailabilityP99:0} ms (target < 20)");
return 0;

async Task<Result> RunAsync(string provider)
{
    var (connectionString, dropDatabase) = await NewDatabaseAsync(provider);
    var options = new DbContextOptionsBuilder<EldercareDb>();
    DatabaseSetup.Configure(options, new DatabaseOptions { Provider = provider, ConnectionString = connectionString });
    BenchWorld world;
    await using (var db = new EldercareDb(options.Options))
    {
        await db.MigrateAsync();
        world = await BenchWorld.SeedAsync(db);
    }

    var prefix = $"bench-{Guid.NewGuid():N}:";
    using var api = StartApi(apiDll, provider, connectionString, redis, prefix, out var http);
    using var _http = http;
    await WaitReadyAsync(http);

    // One hotline-service session per client, written to Redis the way the API writes them.
    var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = redis, KeyPrefix = prefix }), Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisConnection>.Instance);
    await connection.StartConnecting();
    var cache = new RedisDistributedCache(connection, TimeProvider.System);
    var sessions = new SessionStore(cache, Options.Create(new Eldercare.Api.Features.Sessions.SessionOptions()));
    var tokens = new List<string>();
    for (var i = 0; i < clients + 4; i++) tokens.Add(await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Service, 1, "hotline")));

    // Warm up for as long as the measurement, on lunches weeks ahead that the measured phases do not touch: a node that
    // has been up a while has its code compiled and tuned (tiered JIT) and its connection pools full; a fresh one spends
    // a core on compiling for its first half minute or so, which is not what the figures are about.
    var warmUpWork = new ConcurrentQueue<(int, long)>(world.WarmUpSlots.SelectMany(slot => world.ElderIds.Select(elder => (elder, slot)))
        .OrderBy(_ => Random.Shared.Next()));
    // Four more clients keep asking for availability, each about 20 times a second, while bookings are made.
    List<Task<List<double>>> AvailabilityClients(CancellationToken stop) =>
        Enumerable.Range(0, 4).Select(i => AvailabilityLoopAsync(http, tokens[clients + i], world.LunchItemId, stop)).ToList();
    using (var stopWarmUpQueries = new CancellationTokenSource())
    {
        var warmUpQueries = AvailabilityClients(stopWarmUpQueries.Token);
        await LoadAsync(http, tokens, warmUpWork, TimeSpan.FromSeconds(seconds));
        stopWarmUpQueries.Cancel();
        await Task.WhenAll(warmUpQueries);
    }

    // Phase 1, the 09:00 burst: 600 elders race for 300 portions of one lunch.
    var burst = new ConcurrentQueue<(int, long)>(world.ElderIds.Take(600).Select(e => (e, world.HotLunchSlot)));
    var burstStats = await LoadAsync(http, tokens, burst, TimeSpan.FromMinutes(2));

    // Phase 2, the mix: lunches at four meal points over a week (9 in 10 requests) and scattered visits, for N seconds,
    // while four more clients keep asking for availability (each about 20 times a second).
    var random = new Random(11);
    var mixElders = world.ElderIds.Skip(600).Take(world.ElderIds.Count - 620).ToList();
    var work = new List<(int, long)>();
    foreach (var day in Enumerable.Range(0, BenchWorld.Days))
        foreach (var elder in mixElders.OrderBy(_ => random.Next()))
        {
            work.Add((elder, world.LunchSlots[day * 4 + elder % 4]));
            if (random.Next(9) == 0) work.Add((mixElders[random.Next(mixElders.Count)], world.VisitSlots[random.Next(world.VisitSlots.Count)]));
        }
    // Orders for the week arrive mixed (families order for different days), so the mix spreads over all lunches;
    // the burst above is where one hot lunch is measured.
    var queue = new ConcurrentQueue<(int, long)>(work.OrderBy(_ => random.Next()));
    using var stopAvailability = new CancellationTokenSource();
    var availability = AvailabilityClients(stopAvailability.Token);
    api.Refresh();
    var cpuBeforeMix = api.TotalProcessorTime;
    var postgresBeforeMix = ProcessesCpu("postgres");
    var benchBeforeMix = Process.GetCurrentProcess().TotalProcessorTime;
    var mixStats = await LoadAsync(http, tokens, queue, TimeSpan.FromSeconds(seconds));
    stopAvailability.Cancel();
    api.Refresh();
    var mixCpu = api.TotalProcessorTime - cpuBeforeMix;
    var postgresCpu = ProcessesCpu("postgres") - postgresBeforeMix;
    var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchBeforeMix;
    var availabilityLatencies = (await Task.WhenAll(availability)).SelectMany(x => x).ToList();

    int oversold, burstBooked;
    await using (var db = new EldercareDb(options.Options))
    {
        var holding = Booking.Holding;
        oversold = await db.Slots.CountAsync(s => s.Booked > s.Capacity
            || s.Booked != db.Bookings.Count(b => b.SlotId == s.Id && holding.Contains(b.Status)));
        burstBooked = await db.Bookings.CountAsync(b => b.SlotId == world.HotLunchSlot);
    }
    api.Kill(entireProcessTree: true);
    await api.WaitForExitAsync();
    // What PostgreSQL alone can do for bookings here: the booking's own statements replayed by pgbench, API stopped.
    double? bookingSqlTps = provider == "Postgres" ? BookingSqlTps(connectionString, world) : null;
    await dropDatabase();

    var all = burstStats.Latencies.Concat(mixStats.Latencies).Order().ToList();
    Console.WriteLine($"{provider}: {mixStats.Created} bookings in {mixStats.Elapsed.TotalSeconds:0.0} s; burst {burstStats.Created} booked, {burstStats.Refused} refused; "
        + $"CPU during the mix, per booking request (availability queries included): API {PerRequest(mixCpu):0.0} ms"
        + (provider == "Postgres" ? $", PostgreSQL {PerRequest(postgresCpu):0.0} ms" : "") + $", this load generator {PerRequest(benchCpu):0.0} ms");
    double PerRequest(TimeSpan cpu) => cpu.TotalMilliseconds / Math.Max(1, mixStats.Latencies.Count);
    return new Result(provider, mixStats.Created / mixStats.Elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99),
        burstStats.Refused + mixStats.Refused, burstStats.Errors + mixStats.Errors, oversold, burstBooked, Percentile(availabilityLatencies.Order().ToList(), 0.99),
        bookingSqlTps);
}

async Task<Stats> LoadAsync(HttpClient http, List<string> tokens, ConcurrentQueue<(int Elder, long Slot)> queue, TimeSpan limit)
{
    var latencies = new ConcurrentBag<double>();
    int created = 0, refused = 0, errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        while (clock.Elapsed < limit && queue.TryDequeue(out var next))
        {
            var started = Stopwatch.GetTimestamp();
            var status = await BookAsync(http, tokens[c], next.Elder, next.Slot);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (status == HttpStatusCode.Created) Interlocked.Increment(ref created);
            else if (status is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity) Interlocked.Increment(ref refused);
            else Interlocked.Increment(ref errors);
        }
    }));
    return new Stats(created, refused, errors, clock.Elapsed, latencies.ToList());
}

static async Task<HttpStatusCode> BookAsync(HttpClient http, string token, int elderId, long slotId)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = JsonContent.Create(new { elderId, slotId }) };
    request.Headers.Authorization = new("Bearer", token);
    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
    try
    {
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        return HttpStatusCode.ServiceUnavailable;
    }
}

static async Task<List<double>> AvailabilityLoopAsync(HttpClient http, string token, int serviceId, CancellationToken stop)
{
    var latencies = new List<double>();
    while (!stop.IsCancellationRequested)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/availability?serviceId={serviceId}&from={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}&to={DateTime.UtcNow.AddDays(7):yyyy-MM-dd}");
        request.Headers.Authorization = new("Bearer", token);
        var started = Stopwatch.GetTimestamp();
        try { using var _ = await http.SendAsync(request, stop); } catch (OperationCanceledException) { break; }
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        // A person looks at the answer before asking again: about 20 queries a second per client, not a flood.
        try { await Task.Delay(50, stop); } catch (OperationCanceledException) { break; }
    }
    return latencies;
}

async Task<(string, Func<Task>)> NewDatabaseAsync(string provider)
{
    if (provider == "Sqlite")
    {
        var file = Path.Combine(Path.GetTempPath(), $"eldercare-bench-{Guid.NewGuid():N}.db");
        return ($"Data Source={file}", () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            return Task.CompletedTask;
        });
    }
    return await NewPostgresDatabaseAsync(postgresAdmin);
}

async Task<double> PgbenchAsync()
{
    await ExecuteAsync(postgresAdmin, "DROP DATABASE IF EXISTS pgbench_run WITH (FORCE)");
    await ExecuteAsync(postgresAdmin, "CREATE DATABASE pgbench_run");
    var admin = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = "pgbench_run" };
    RunPgbench(admin, "-i", "-q", "-s", "16");
    var tps = Tps(RunPgbench(admin, "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture)));
    await ExecuteAsync(postgresAdmin, "DROP DATABASE IF EXISTS pgbench_run WITH (FORCE)");
    return tps;
}

/// <summary>The booking's statements (booking.pgbench) run by pgbench on the bench street, as many clients as the mix.</summary>
double BookingSqlTps(string connectionString, BenchWorld world)
{
    var slots = world.LunchSlots.Concat(world.VisitSlots).ToList();
    string Define(string name, long value) => $"{name}={value.ToString(CultureInfo.InvariantCulture)}";
    return Tps(RunPgbench(new NpgsqlConnectionStringBuilder(connectionString), "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture),
        "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", Path.Combine(AppContext.BaseDirectory, "booking.pgbench"),
        "-D", Define("elder_min", world.ElderIds.Min()), "-D", Define("elder_max", world.ElderIds.Max()),
        "-D", Define("slot_min", slots.Min()), "-D", Define("slot_max", slots.Max()), "-D", Define("run", Environment.TickCount64)));
}

string RunPgbench(NpgsqlConnectionStringBuilder target, params string[] arguments)
{
    var info = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var x in new[] { "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username! }.Concat(arguments).Append(target.Database!))
        info.ArgumentList.Add(x);
    if (target.Password is { } password) info.Environment["PGPASSWORD"] = password;
    using var p = Process.Start(info)!;
    var output = p.StandardOutput.ReadToEndAsync();
    var error = p.StandardError.ReadToEnd();
    p.WaitForExit();
    return output.Result + error;
}

static double Tps(string pgbenchOutput)
{
    // A figure counts only if every transaction went through: a script error aborts clients or fails transactions.
    var match = Regex.Match(pgbenchOutput, @"tps = ([0-9.]+)");
    var failed = Regex.Match(pgbenchOutput, @"number of failed transactions: ([0-9]+)");
    if (!match.Success || (failed.Success && failed.Groups[1].Value != "0") || pgbenchOutput.Contains("aborted", StringComparison.Ordinal))
        throw new InvalidOperationException("pgbench did not run cleanly:\n" + pgbenchOutput);
    return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
}

record Stats(int Created, int Refused, int Errors, TimeSpan Elapsed, List<double> Latencies);

record Result(string Provider, double BookingsPerSecond, double P50, double P99, int Refused, int Errors, int Oversold, int BurstBooked, double AvailabilityP99,
    double? BookingSqlTps);
