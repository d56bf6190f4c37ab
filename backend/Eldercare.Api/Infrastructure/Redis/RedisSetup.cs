using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Eldercare.Api.Infrastructure.Redis;

public sealed class RedisOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379" or "host:6379,password=...".</summary>
    [Required] public string Configuration { get; set; } = "";
    /// <summary>Prefix of every key this hub writes, so several deployments or test runs can share one server.</summary>
    [Required, RegularExpression("^[a-z0-9:_-]{1,40}$")] public string KeyPrefix { get; set; } = "eldercare:";
}

public static class RedisSetup
{
    public static IServiceCollection AddRedis(this IServiceCollection services)
    {
        services.AddValidatedOptions<RedisOptions>("Redis");
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IDistributedCache, RedisDistributedCache>();
        // First of the hosted services: the node starts answering once Redis is connected (or the first try timed out).
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, RedisConnection.Connector>());
        return services;
    }
}

/// <summary>
/// The one multiplexed connection to Redis, opened asynchronously when the node starts (<see cref="StartConnecting"/>),
/// never on a request's thread: until it is connected, and whenever Redis is down, calls fail at once with
/// RedisConnectionException (sessions answer 503, readiness says Unhealthy) and the multiplexer reconnects by itself.
/// An outage is logged once when it begins and once when it ends, with how many requests it turned away, not once
/// per request.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> log) : IAsyncDisposable
{
    private readonly object _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private ConnectionMultiplexer? _multiplexer;
    private long _refusedDuringOutage;

    public string KeyPrefix { get; } = options.Value.KeyPrefix;

    public bool IsConnected => _multiplexer?.IsConnected == true;

    private OpenTelemetry.Instrumentation.StackExchangeRedis.StackExchangeRedisInstrumentation? _tracing;

    /// <summary>Redis commands are traced (when tracing is on) from the moment the connection exists.</summary>
    public void TraceWith(OpenTelemetry.Instrumentation.StackExchangeRedis.StackExchangeRedisInstrumentation tracing)
    {
        lock (_gate)
        {
            _tracing = tracing;
            if (_multiplexer is { } m) tracing.AddConnection(m);
        }
    }

    /// <summary>Starts connecting (once); the task completes when the first attempt has connected or given up.</summary>
    public Task StartConnecting()
    {
        lock (_gate) return _connecting ??= ConnectAsync();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(options.Value.Configuration);
        config.AbortOnConnectFail = false; // a server that is down now is connected to later, in the background
        config.ConnectTimeout = 2000;
        config.SyncTimeout = 2000;
        config.AsyncTimeout = 2000;
        config.ConnectRetry = 1;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);
        multiplexer.ConnectionFailed += (_, e) => OutageBegan(e.FailureType);
        multiplexer.ConnectionRestored += (_, _) => OutageEnded();
        lock (_gate)
        {
            _multiplexer = multiplexer;
            _tracing?.AddConnection(multiplexer);
        }
        if (!multiplexer.IsConnected) OutageBegan(ConnectionFailureType.UnableToConnect);
        else log.LogInformation("Connected to Redis");
        return multiplexer;
    }

    public IDatabase Database => _multiplexer?.GetDatabase()
        ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is still being connected to.", null, CommandStatus.WaitingToBeSent);

    public RedisKey Key(string name) => KeyPrefix + name;

    /// <summary>A request turned away because Redis could not be reached: counted, not logged one by one.</summary>
    public void CountRefused() => Interlocked.Increment(ref _refusedDuringOutage);

    private int _down;

    private void OutageBegan(ConnectionFailureType why)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
            log.LogWarning("Redis cannot be reached ({FailureType}); requests that need a session get 503 until it is back", why);
    }

    private void OutageEnded()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1)
            log.LogWarning("Redis is reachable again; {Refused} requests were turned away meanwhile", Interlocked.Exchange(ref _refusedDuringOutage, 0));
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } m) await m.DisposeAsync();
    }

    /// <summary>Connects when the node starts, before it takes requests; a Redis that is down does not keep the node from starting.</summary>
    public sealed class Connector(RedisConnection redis) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => redis.StartConnecting().WaitAsync(ct);

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
