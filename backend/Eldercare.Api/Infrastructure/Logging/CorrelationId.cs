using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Eldercare.Api.Infrastructure.Logging;

/// <summary>
/// Gives every request a correlation id (the caller's X-Correlation-Id if it is sane, a new one otherwise),
/// echoes it in the response, puts it in the log scope of everything the request logs, and writes one
/// summary line per request. The line carries the route template, never the raw path or query string,
/// so phone numbers or names typed into a search never reach the logs.
/// </summary>
public sealed partial class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> log)
{
    public const string Header = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext http)
    {
        var supplied = http.Request.Headers[Header].ToString();
        var id = SaneId().IsMatch(supplied) ? supplied : Guid.NewGuid().ToString("N");
        http.TraceIdentifier = id;
        http.Response.OnStarting(() => { http.Response.Headers[Header] = id; return Task.CompletedTask; });

        using var scope = CorrelationScope(log, id);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            log.LogInformation("{Method} {Route} answered {Status} in {ElapsedMs:0.0} ms",
                http.Request.Method, route, http.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    // A scope with a readable text ("CorrelationId:…") besides its value, as the JSON console writes both.
    private static readonly Func<ILogger, string, IDisposable?> CorrelationScope = LoggerMessage.DefineScope<string>("CorrelationId:{CorrelationId}");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SaneId();
}
