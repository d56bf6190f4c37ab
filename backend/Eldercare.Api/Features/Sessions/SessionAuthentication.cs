using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Redis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Eldercare.Api.Features.Sessions;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;token&gt;" against the session store. A request without a token
/// never touches Redis; a request with one while Redis is down ends as 503 session-store-unavailable.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionStore sessions, RedisConnection redis)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } token) return AuthenticateResult.NoResult();

        SessionPrincipal? principal;
        try
        {
            principal = await sessions.FindAsync(token, Context.RequestAborted);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            redis.CountRefused(); // the outage itself is logged once, by the connection
            throw new SessionStoreUnavailableException(e);
        }
        if (principal is null) return AuthenticateResult.Fail("Unknown or expired session.");

        var claims = new List<Claim>
        {
            new(SessionClaims.Kind, principal.Kind.ToString()),
            new(SessionClaims.Id, principal.Id.ToString(CultureInfo.InvariantCulture)),
            new(SessionClaims.Channel, principal.Channel),
        };
        if (principal.Role is { } role) claims.Add(new Claim(ClaimTypes.Role, role.ToString()));
        if (principal.StationId is { } station) claims.Add(new Claim(SessionClaims.StationId, station.ToString(CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    /// <summary>The token of an "Authorization: Bearer &lt;token&gt;" header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask; // the status-code pages turn the bare 401 into an "unauthenticated" problem
    }
}

public static class SessionClaims
{
    public const string Kind = "eldercare:kind", Id = "eldercare:id", Channel = "eldercare:channel", StationId = "eldercare:station";
}

public static class SessionSetup
{
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddValidatedOptions<SessionOptions>("Sessions");
        services.AddSingleton<SessionStore>();
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(AccessPolicy.AddPolicies);
        return services;
    }
}
