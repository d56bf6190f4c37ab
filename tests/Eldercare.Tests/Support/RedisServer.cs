using System.Diagnostics;
using StackExchange.Redis;

namespace Eldercare.Tests.Support;

/// <summary>A private redis-server process that a test may stop and start again (append-only file on, so data survives).</summary>
public sealed class RedisServer : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("eldercare-redis-").FullName;
    private Process? _process;

    public RedisServer() => Port = ApiProcess.FreePort();

    public int Port { get; }
    public string Configuration => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _folder, "--appendonly", "yes", "--appendfsync", "always", "--save", "" })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = await ConnectionMultiplexer.ConnectAsync($"{Configuration},connectTimeout=200");
                if (probe.IsConnected) return;
            }
            catch (RedisConnectionException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("redis-server did not start on " + Configuration);
    }

    /// <summary>Kills the server, as a crash or an outage would.</summary>
    public void Stop()
    {
        if (_process is null) return;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
