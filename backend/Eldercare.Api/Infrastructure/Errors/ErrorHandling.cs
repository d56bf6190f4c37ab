using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Eldercare.Api.Infrastructure.Text;
using StackExchange.Redis;

namespace Eldercare.Api.Infrastructure.Errors;

/// <summary>
/// Every error leaves as RFC 7807 ProblemDetails with a stable type code and a Chinese title.
/// Exception text never reaches the caller; it goes to the log under the request's correlation id.
/// </summary>
public static class ErrorHandling
{
    public static IServiceCollection AddErrorHandling(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Complete);
        services.AddExceptionHandler<ExceptionToProblem>();
        return services;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Fills in the stable code and title for problems produced by the framework (404, 405, 415 ...).</summary>
    private static void Complete(ProblemDetailsContext context)
    {
        var details = context.ProblemDetails;
        var status = details.Status ?? context.HttpContext.Response.StatusCode;
        if (details.Type is null || details.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
        {
            var known = details is HttpValidationProblemDetails ? Problems.ValidationFailed : Problems.ForStatus(status);
            details.Type = known.Type;
            details.Title = known.Title;
        }
        details.Status = status;
        details.Extensions["correlationId"] = context.HttpContext.TraceIdentifier;
        // The framework may put exception messages into Detail; callers get only what we wrote ourselves.
        if (context.Exception is not null) details.Detail = null;
    }

    private sealed class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> log) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (exception is BadHttpRequestException { InnerException: TextInput.RefusedTextException refused })
            {
                // Text the databases cannot store: say which field and why (the reason is ours, never an exception's text).
                log.LogInformation("Request refused with {ProblemType} in {Field}", TextInput.NotAllowed.Type, refused.Path);
                http.Response.StatusCode = TextInput.NotAllowed.Status;
                return await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Type = TextInput.NotAllowed.Type, Title = TextInput.NotAllowed.Title, Status = TextInput.NotAllowed.Status, Detail = refused.Reason,
                        Extensions = { ["field"] = FieldName(refused.Path) },
                    },
                });
            }
            var problem = Classify(exception);
            if (problem == Problems.SessionStoreUnavailable)
                log.LogDebug("Request refused with {ProblemType}", problem.Type); // the outage is logged once, by the Redis connection
            else if (problem.Status >= 500)
                log.LogError(exception, "Request failed with {ProblemType}", problem.Type);
            else
                log.LogInformation("Request refused with {ProblemType}: {ExceptionType}", problem.Type, exception.GetType().Name);

            http.Response.StatusCode = problem.Status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Type = problem.Type, Title = problem.Title, Status = problem.Status },
            });
        }

        /// <summary>"$.emergencyContacts[0].name" → "emergencyContacts[0].name", as a form names its fields.</summary>
        private static string? FieldName(string? jsonPath) => jsonPath is null ? null : TextInput.SafeName(jsonPath.StartsWith("$.") ? jsonPath[2..] : jsonPath.TrimStart('$'));

        private static Problem Classify(Exception exception) => exception switch
        {
            BadHttpRequestException { StatusCode: 413 } => Problems.PayloadTooLarge,
            BadHttpRequestException { StatusCode: 415 } => Problems.UnsupportedMediaType,
            BadHttpRequestException => Problems.MalformedRequest,
            SessionStoreUnavailableException or RedisConnectionException or RedisTimeoutException => Problems.SessionStoreUnavailable,
            _ => Problems.InternalError,
        };
    }
}

/// <summary>Thrown when a request needs its session but Redis cannot be reached; becomes a 503.</summary>
public sealed class SessionStoreUnavailableException(Exception inner) : Exception("The session store cannot be reached.", inner);

