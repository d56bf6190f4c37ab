using System.Collections.Concurrent;
using Eldercare.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eldercare.Tests;

public sealed class LoggingTests : IClassFixture<LoggingTests.Factory>
{
    private readonly Factory _factory;
    public LoggingTests(Factory factory) => _factory = factory;

    public sealed class Factory : ApiFactory
    {
        public CapturingLoggerProvider Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
        }
    }

    [Fact]
    public async Task A_supplied_correlation_id_is_echoed_and_carried_by_the_request_log()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Correlation-Id", "window-3.call-0042");
        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal("window-3.call-0042", response.Headers.GetValues("X-Correlation-Id").Single());
        var line = await _factory.Logs.WaitForAsync(e => e.Scope.GetValueOrDefault("CorrelationId") == "window-3.call-0042" && e.Message.Contains(" answered "));
        Assert.Equal("GET /health/live answered 200", line.Message[..line.Message.IndexOf(" in ", StringComparison.Ordinal)]);
        // The scope's own text (the "Message" of the scope in a JSON log line) says what it is, not a type name.
        Assert.Contains("CorrelationId:window-3.call-0042", line.ScopeTexts);
    }

    [Fact]
    public async Task A_missing_or_unsafe_correlation_id_is_replaced_by_a_fresh_one()
    {
        var client = _factory.CreateClient();
        var plain = await client.GetAsync("/health/live");
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", "bad id\"<script>");
        var unsafeOne = await client.SendAsync(request);

        var first = plain.Headers.GetValues("X-Correlation-Id").Single();
        var second = unsafeOne.Headers.GetValues("X-Correlation-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.Matches("^[0-9a-f]{32}$", second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Personal_data_in_a_query_string_never_reaches_the_logs()
    {
        const string phone = "13812345678", name = "张淑珍";
        await _factory.CreateClient().GetAsync($"/api/session?phone={phone}&name={Uri.EscapeDataString(name)}");
        await _factory.Logs.WaitForAsync(e => e.Message.StartsWith("GET /api/session/ answered 401"));

        foreach (var entry in _factory.Logs.Entries)
        {
            var everything = entry.Message + string.Join(" ", entry.Scope.Values);
            Assert.DoesNotContain(phone, everything);
            Assert.DoesNotContain(name, everything);
            Assert.DoesNotContain(Uri.EscapeDataString(name), everything);
        }
    }
}

/// <summary>Keeps every log entry with the flattened values of its scopes.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match)
    {
        for (var i = 0; i < 50; i++)
        {
            if (Entries.FirstOrDefault(match) is { } found) return found;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("No matching log entry. Seen:\n" + string.Join("\n", Entries.Select(e => e.Message)));
    }

    public sealed record LogEntry(string Category, string Message, Dictionary<string, string?> Scope, List<string?> ScopeTexts,
        LogLevel Level = LogLevel.Information, Exception? Exception = null);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, string?>();
            var texts = new List<string?>();
            owner._scopes.ForEachScope((s, dict) =>
            {
                texts.Add(s?.ToString());
                if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (k, v) in pairs) dict[k] = v?.ToString();
                else dict[s?.GetType().Name ?? "scope"] = s?.ToString();
            }, scope);
            owner.Entries.Enqueue(new LogEntry(category, formatter(state, exception), scope, texts, logLevel, exception));
        }
    }
}
