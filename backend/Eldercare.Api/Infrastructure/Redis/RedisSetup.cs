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
        return services;
    }
}

/// <summary>
/// The one multiplexed connection to Redis. It is opened on first use and never aborts on a failed
/// connect: while Redis is down, calls fail fast with RedisConnectionException and the multiplexer
/// reconnects by itself when the server is back.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        KeyPrefix = options.Value.KeyPrefix;
        var config = ConfigurationOptions.Parse(options.Value.Configuration);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = 2000;
        config.SyncTimeout = 2000;
        config.ConnectRetry = 1;
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(config));
    }

    public string KeyPrefix { get; }

    public IDatabase Database => _multiplexer.Value.GetDatabase();

    public RedisKey Key(string name) => KeyPrefix + name;

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
