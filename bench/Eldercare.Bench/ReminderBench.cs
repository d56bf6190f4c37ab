using System.Diagnostics;
using Eldercare.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Eldercare.Bench.BenchSupport;

namespace Eldercare.Bench;

/// <summary>
/// ./eldercare.sh bench reminders: a large set of reminders all due at one instant (as every "evening before" reminder
/// is at 19:00), dispatched by one node and then by two clustered nodes on PostgreSQL. Prints the time from the due
/// instant until the last was handed to its channel, and any duplicate or missing delivery.
/// </summary>
public static class ReminderBench
{
    private sealed record Result(int Nodes, int Reminders, double Seconds, long Deliveries, long Duplicates, long Missing, long ClaimedTwice);

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--reminders", 100_000);
        Console.WriteLine($"Reminder benchmark: {count:N0} reminders due at the same instant, PostgreSQL, clustered Quartz, on {Environment.ProcessorCount} cores");
        var results = new List<Result>();
        foreach (var nodes in new[] { 1, 2 }) results.Add(await RunOnceAsync(nodes, count));

        Console.WriteLine();
        Console.WriteLine("| nodes | reminders | all dispatched after (s) | reminders/s | deliveries | duplicate deliveries | reminders without a delivery | claimed twice |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
            Console.WriteLine($"| {r.Nodes} | {r.Reminders:N0} | {r.Seconds:0.0} | {r.Reminders / r.Seconds:N0} | {r.Deliveries:N0} | {r.Duplicates} | {r.Missing} | {r.ClaimedTwice} |");
        Console.WriteLine();
        Console.WriteLine($"target: all within 60 s, 0 duplicates; slowest run {results.Max(r => r.Seconds):0.0} s, duplicates {results.Sum(r => r.Duplicates)}, missing {results.Sum(r => r.Missing)}");
        return 0;
    }

    private static async Task<Result> RunOnceAsync(int nodes, int count)
    {
        var admin = Env("ELDERCARE_BENCH_POSTGRES");
        var (connectionString, drop) = await NewPostgresDatabaseAsync(admin);
        var options = new DbContextOptionsBuilder<EldercareDb>();
        DatabaseSetup.Configure(options, new DatabaseOptions { Provider = "Postgres", ConnectionString = connectionString });
        await using (var db = new EldercareDb(options.Options))
        {
            await db.MigrateAsync();
            await BenchWorld.SeedAsync(db);
        }
        // A third of the elders read WeChat; the others are called by the hotline.
        await ExecuteAsync(connectionString, "UPDATE elders SET wechat_open_id = 'o-bench-' || id WHERE id % 3 = 0");

        var prefix = $"bench-{Guid.NewGuid():N}:";
        var apis = new List<(Process Process, HttpClient Http)>();
        for (var i = 0; i < nodes; i++)
        {
            var process = StartApi(Env("ELDERCARE_BENCH_API_DLL"), "Postgres", connectionString, Env("ELDERCARE_BENCH_REDIS"), prefix, out var http);
            apis.Add((process, http));
        }
        foreach (var (_, http) in apis) await WaitReadyAsync(http);

        // Written a few seconds ahead of the instant they fall due, so the nodes meet them all at once.
        var dueAt = DateTime.UtcNow.AddSeconds(8);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO reminders (elder_id, kind, text, created_at, due_at, status, attempts)
                SELECT e.id, 'BookingEveningBefore', '提醒您：明天09:00有上门助洁。如需取消，请在小程序里操作或拨打服务热线。', now(), @due, 'Pending', 0
                FROM elders e CROSS JOIN generate_series(1, @perElder) g
                ORDER BY g, e.id LIMIT @count
                """, connection) { CommandTimeout = 300 };
            insert.Parameters.AddWithValue("due", dueAt);
            insert.Parameters.AddWithValue("perElder", count / BenchWorld.Elders + 1);
            insert.Parameters.AddWithValue("count", count);
            await insert.ExecuteNonQueryAsync();
        }
        if (DateTime.UtcNow > dueAt) Console.Error.WriteLine("warning: writing the reminders took longer than the lead time");

        var clock = Stopwatch.StartNew();
        long left;
        do
        {
            await Task.Delay(250);
            left = await ScalarAsync(connectionString, "SELECT count(*) FROM reminders WHERE status <> 'Sent'");
        } while (left > 0 && clock.Elapsed < TimeSpan.FromMinutes(5));

        var lastSent = await ScalarAsync(connectionString, "SELECT (extract(epoch from max(sent_at)) * 1000)::bigint FROM reminders");
        var seconds = left > 0 ? double.NaN : (DateTimeOffset.FromUnixTimeMilliseconds(lastSent).UtcDateTime - dueAt).TotalSeconds;
        var result = new Result(nodes, count, seconds,
            await ScalarAsync(connectionString, "SELECT count(*) FROM deliveries"),
            await ScalarAsync(connectionString, "SELECT count(*) - count(DISTINCT (reminder_id, recipient_kind, recipient_id)) FROM deliveries"),
            await ScalarAsync(connectionString, "SELECT count(*) FROM reminders r WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.reminder_id = r.id)"),
            await ScalarAsync(connectionString, "SELECT count(*) FROM reminders WHERE attempts > 1"));
        Console.WriteLine($"{nodes} node(s): {(left > 0 ? $"{left} reminders still not sent after 5 minutes" : $"all {count:N0} dispatched {seconds:0.0} s after they fell due")}");

        foreach (var (process, http) in apis)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            http.Dispose();
        }
        await drop();
        return result;
    }
}
