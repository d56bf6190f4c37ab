using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Hotline;
using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Calls;
using Eldercare.Hotline.Telephony;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Eldercare.Bench.BenchSupport;

namespace Eldercare.Bench;

/// <summary>
/// ./eldercare.sh bench hotline: N elders call the hotline at the same moment over real SIP (one baresip for the
/// hotline's lines, another for the elders' phones) and each books a lunch by keys, at a caller's pace, against the
/// API on PostgreSQL. Prints the calls answered and completed, the bookings made and the time from a key press to the
/// next prompt starting (measured at the hotline: the backend calls and prompt rendering in between).
/// </summary>
public static class HotlineBench
{
    /// <summary>
    /// What each caller presses after the menu starts, every 4 s (barge-in: the prompt stops at the key): meals, the
    /// first time offered, and (where the lunch offers more than one way) at the table. Then 1 every 2 s until the
    /// booking is made: the confirmation is said to its end and keys before its end are dropped, as an elder who
    /// waits for the question to finish would find.
    /// </summary>
    private const string Keys = "111";

    public static async Task<int> RunAsync(string[] args)
    {
        var calls = Option(args, "--calls", 50);
        Console.WriteLine($"Hotline benchmark: {calls} simultaneous calls, each booking a lunch by keys, real SIP on loopback, PostgreSQL, on {Environment.ProcessorCount} cores");
        var (connectionString, drop) = await NewPostgresDatabaseAsync(Env("ELDERCARE_BENCH_POSTGRES"));
        var options = new DbContextOptionsBuilder<EldercareDb>();
        DatabaseSetup.Configure(options, new DatabaseOptions { Provider = "Postgres", ConnectionString = connectionString });
        await using (var db = new EldercareDb(options.Options))
        {
            await db.MigrateAsync();
            await BenchWorld.SeedAsync(db);
        }
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        using var api = StartApi(Env("ELDERCARE_BENCH_API_DLL"), "Postgres", connectionString, Env("ELDERCARE_BENCH_REDIS"), $"bench-{Guid.NewGuid():N}:", out var http,
            new Dictionary<string, string> { ["Services__HotlineKey"] = key });
        using var _http = http;
        await WaitReadyAsync(http);

        var folder = Path.Combine(Path.GetTempPath(), $"eldercare-hotline-bench-{Guid.NewGuid():N}");
        var hotline = new HotlineOptions { ApiBaseUrl = http.BaseAddress!.ToString(), ServiceKey = key, AgentLine = "sip:agents@127.0.0.1:9" };
        var backend = HotlineBackendSetup.Create(http.BaseAddress!, key); // as the hotline builds it: real sockets, the same resilience pipeline
        var paths = new ConcurrentQueue<List<string>>();
        var live = new ConcurrentDictionary<string, InboundCallFlow>(); // by the caller's number, while the call lasts
        var prompts = new PromptAudio(Path.Combine(folder, "prompts"), null, hotline.SpeechRate);
        var (linesPort, linesControl) = (BaresipProcess.FreeSipPort(), FreePort());
        await using var lines = await BaresipLines.StartAsync(new BaresipSettings(calls + 1, "127.0.0.1", linesPort, linesControl, Path.Combine(folder, "lines")),
            prompts, async call =>
            {
                var flow = new InboundCallFlow(call, backend, hotline, TimeProvider.System, NullLogger.Instance);
                live[call.CallerNumber ?? ""] = flow;
                await flow.RunAsync(CancellationToken.None);
                paths.Enqueue(flow.Path);
            }, NullLogger.Instance, CancellationToken.None);

        // The elders' phones: elder i's phone is 1380{i:0000000} in the bench street.
        var phonesPort = BaresipProcess.FreeSipPort();
        var phonesControl = FreePort();
        var numbers = Enumerable.Range(0, calls + 1).Select(i => $"1380{i:0000000}").ToList();
        BaresipProcess.Configure(Path.Combine(folder, "phones"), "127.0.0.1", phonesPort, phonesControl,
            numbers.Select(n => BaresipProcess.Account($"sip:{n}@127.0.0.1:{phonesPort}", answers: false, "phone", codecs: "PCMU")));
        var (phonesProcess, phones) = await BaresipProcess.StartAsync(Path.Combine(folder, "phones"), phonesControl, CancellationToken.None);
        var established = new ConcurrentDictionary<string, TaskCompletionSource>();
        phones.Events += e =>
        {
            if (e.GetProperty("type").GetString() == "CALL_ESTABLISHED" && established.TryGetValue(e.GetProperty("accountaor").GetString()!, out var answered))
                answered.TrySetResult();
        };
        var control = new SemaphoreSlim(1, 1); // uafind picks the phone for the next command: one phone's commands at a time

        async Task<bool> CallAsync(int caller)
        {
            var aor = $"sip:{numbers[caller]}@127.0.0.1:{phonesPort}";
            var answered = established.GetOrAdd(aor, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            async Task OnPhoneAsync(string command, string? parameters)
            {
                await control.WaitAsync();
                try
                {
                    await phones.CommandAsync("uafind", aor, CancellationToken.None);
                    await phones.CommandAsync(command, parameters, CancellationToken.None);
                }
                finally { control.Release(); }
            }
            await OnPhoneAsync("dial", lines.AddressOf(caller + 1));
            if (await Task.WhenAny(answered.Task, Task.Delay(TimeSpan.FromSeconds(30))) != answered.Task) return false;
            await Task.Delay(TimeSpan.FromSeconds(8)); // the greeting, "老人N，您好" and the start of the menu
            foreach (var k in Keys)
            {
                await OnPhoneAsync("sndcode", k.ToString());
                await Task.Delay(TimeSpan.FromSeconds(4));
            }
            bool Booked() => live.TryGetValue(numbers[caller], out var flow) && flow.Path.ToArray().Any(p => p?.StartsWith("booked:", StringComparison.Ordinal) == true);
            for (var tries = 0; tries < 20 && !Booked(); tries++)
            {
                await OnPhoneAsync("sndcode", "1");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            await OnPhoneAsync("hangup", null);
            return true;
        }

        var samples = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HotlineMetrics.MeterName && instrument.Name == HotlineMetrics.KeyToPromptName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => samples.Add(value));
        listener.Start();

        // One call first, as a warm-up (JIT, connection pools, the fixed prompts rendered once); not counted.
        await CallAsync(calls);
        await UntilAsync(() => paths.Count == 1, TimeSpan.FromSeconds(30));
        samples.Clear();
        var renderedBefore = prompts.Rendered;
        var bookingsBefore = await CountHotlineBookingsAsync(options);

        var clock = Stopwatch.StartNew();
        var answeredCalls = (await Task.WhenAll(Enumerable.Range(0, calls).Select(CallAsync))).Count(a => a);
        await UntilAsync(() => paths.Count == calls + 1, TimeSpan.FromSeconds(60));
        var elapsed = clock.Elapsed;
        var booked = paths.Skip(1).Count(p => p.Any(step => step.StartsWith("booked:", StringComparison.Ordinal)));
        var bookings = await CountHotlineBookingsAsync(options) - bookingsBefore;
        var sorted = samples.Order().ToList();

        phonesProcess.Kill();
        api.Kill(entireProcessTree: true);
        await api.WaitForExitAsync();
        await drop();
        Directory.Delete(folder, recursive: true);

        Console.WriteLine();
        Console.WriteLine("| simultaneous calls | answered | completed with a booking | bookings made | key presses measured | key to next prompt p50 ms | p95 ms | max ms | prompts rendered during the run | wall time s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {calls} | {answeredCalls} | {booked} | {bookings} | {sorted.Count} | {Percentile(sorted, 0.50):0} | {Percentile(sorted, 0.95):0} | {sorted.LastOrDefault():0} | {prompts.Rendered - renderedBefore} | {elapsed.TotalSeconds:0} |");
        foreach (var missed in paths.Skip(1).Where(p => !p.Any(step => step.StartsWith("booked:", StringComparison.Ordinal))).GroupBy(p => string.Join(",", p)))
            Console.WriteLine($"not booked ({missed.Count()} calls): {missed.Key}");
        Console.WriteLine();
        Console.WriteLine($"target: {calls} calls (>= 50) completed on {Environment.ProcessorCount} cores with key-to-prompt p95 < 300 ms; measured p95 {Percentile(sorted, 0.95):0} ms, {booked} of {calls} booked");
        return 0;
    }

    private static async Task<int> CountHotlineBookingsAsync(DbContextOptionsBuilder<EldercareDb> options)
    {
        await using var db = new EldercareDb(options.Options);
        return await db.Bookings.CountAsync(b => b.Channel == Channel.Hotline);
    }

    private static async Task UntilAsync(Func<bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < limit) await Task.Delay(100);
    }
}
