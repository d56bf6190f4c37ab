namespace Eldercare.Api.Infrastructure.Web;

/// <summary>
/// Headers every answer carries: browsers must not guess content types or show the hub inside another site's frame;
/// API answers (which may carry names, phones and addresses) are never stored by a browser or a proxy; the console
/// may run only its own scripts and talk only to its own origin.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The console's policy: Element Plus sets inline styles, so styles allow them; scripts never run inline.</summary>
    public const string ConsolePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>JSON answers load nothing.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            var path = http.Request.Path;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            if (path.StartsWithSegments("/api") || path.StartsWithSegments("/health"))
            {
                headers.CacheControl = "no-store";
                headers.ContentSecurityPolicy = ApiPolicy;
            }
            else if (path.StartsWithSegments("/console"))
                headers.ContentSecurityPolicy = ConsolePolicy;
            else
                headers.ContentSecurityPolicy = "frame-ancestors 'none'"; // Swagger UI runs inline scripts of its own
            return Task.CompletedTask;
        });
        return next(http);
    });
}
