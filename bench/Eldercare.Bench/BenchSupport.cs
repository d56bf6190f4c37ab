using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Npgsql;

namespace Eldercare.Bench;

/// <summary>What both benchmarks need: settings from the run script, throw-away databases and API processes.</summary>
public static class BenchSupport
{
    public static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
        ? v : throw new InvalidOperationException($"{name} is not set: run the benchmark through `./eldercare.sh bench`.");

    public static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    /// <summary>A fresh PostgreSQL database for one measurement, and how to drop it.</summary>
    public static async Task<(string ConnectionString, Func<Task> Drop)> NewPostgresDatabaseAsync(string admin)
    {
        var name = $"eldercare_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin)
        { Database = name, MaxPoolSize = 100, MaxAutoPrepare = 64, AutoPrepareMinUsages = 2, NoResetOnClose = true }.ConnectionString;
        return (connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Starts the built API as a production node would run (quiet logs), on a free port.</summary>
    public static Process StartApi(string apiDll, string provider, string connectionString, string redis, string redisPrefix, out HttpClient http,
        IDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [apiDll, "--urls", $"http://127.0.0.1:{port}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Database__Provider"] = provider;
        info.Environment["Database__ConnectionString"] = connectionString;
        info.Environment["Redis__Configuration"] = redis;
        info.Environment["Redis__KeyPrefix"] = redisPrefix;
        info.Environment["PersonalData__IdNumberKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Where(v => ((string)v.Key).StartsWith("BENCH_API_", StringComparison.Ordinal)))
            info.Environment[((string)key)["BENCH_API_".Length..]] = (string?)value; // e.g. BENCH_API_Logging__LogLevel__Microsoft=Information
        var api = Process.Start(info)!;
        var apiLog = Environment.GetEnvironmentVariable("ELDERCARE_BENCH_API_LOG");
        api.OutputDataReceived += (_, e) => { if (apiLog is not null && e.Data is not null) lock (api) File.AppendAllText(apiLog, e.Data + "\n"); };
        api.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        return api;
    }

    public static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try { if (await http.GetStringAsync("/health/ready") == "Healthy") return; } catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("the API did not become ready within 60 s");
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The value below which a share p of the sorted measurements lie (NaN when there are none).</summary>
    /// <summary>
    /// CPU used so far by every process of this name on the machine (e.g. "postgres": the server and all its backends),
    /// from /proc, in Linux's clock ticks of 1/100 s. Processes that ended are not counted.
    /// </summary>
    public static TimeSpan ProcessesCpu(string name)
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != name) continue;
            var fields = stat[(close + 2)..].Split(' '); // from field 3 (state) on: utime and stime are fields 14 and 15
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    public static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
