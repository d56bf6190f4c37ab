using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Eldercare.Api.Infrastructure.Web;

/// <summary>
/// Behind a load balancer every request comes from the balancer's address. Listing it in <c>Network:TrustedProxies</c>
/// (comma-separated addresses) makes the hub take the client's address from its X-Forwarded-For instead, which the
/// login throttle counts by; nobody else can set that header for it.
/// </summary>
public static class TrustedProxies
{
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var listed = app.Configuration["Network:TrustedProxies"];
        if (string.IsNullOrWhiteSpace(listed)) return app;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            options.KnownProxies.Add(IPAddress.TryParse(address, out var ip) ? ip
                : throw new InvalidOperationException($"Configuration error: Network:TrustedProxies: '{address}' is not an IP address"));
        app.UseForwardedHeaders(options);
        return app;
    }
}
