using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Configuration;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Auth;

/// <summary>Settings of the "Services" section: the keys machine callers log in with.</summary>
public sealed class ServiceOptions : IValidatableObject
{
    /// <summary>Secret: the hotline service's key (Services__HotlineKey), at least 32 characters. Empty: the hotline cannot log in.</summary>
    public string HotlineKey { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (HotlineKey.Length is > 0 and < 32) yield return new ValidationResult("must be at least 32 characters (or empty)", [nameof(HotlineKey)]);
    }
}

public sealed record ServiceLoginRequest([property: Required, StringLength(200, MinimumLength = 1)] string Service, [property: Required, StringLength(500, MinimumLength = 1)] string Key);

public sealed record ServiceLoginResponse(string Token, string Service);

/// <summary>
/// Log-in of the hub's own services with their key from the environment: the hotline books for any elder of the
/// district through the same engine and rules as every channel, under its own identity (channel "hotline").
/// </summary>
public static class ServiceLogin
{
    public static readonly Problem WrongKey = new("wrong-service-key", 401, "服务凭据不对");
    public const int HotlineServiceId = 1;

    public static IServiceCollection AddServiceLogin(this IServiceCollection services)
    {
        services.AddValidatedOptions<ServiceOptions>("Services");
        return services;
    }

    public static void MapServiceLogin(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/auth/service", async (ServiceLoginRequest body, IOptions<ServiceOptions> options, SessionStore sessions, CancellationToken ct) =>
        {
            var expected = body.Service == "hotline" ? options.Value.HotlineKey : "";
            // Compared in constant time, and an unknown service is refused the same way as a wrong key.
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(body.Key), Encoding.UTF8.GetBytes(expected)))
                return WrongKey.ToResult();
            var token = await sessions.CreateAsync(new SessionPrincipal(PrincipalKind.Service, HotlineServiceId, "hotline"), ct);
            return Results.Ok(new ServiceLoginResponse(token, body.Service));
        }).WithTags("Auth").AllowAnonymous().Produces<ServiceLoginResponse>().WithSummary("The hotline service logs in with its key: a session token");
}
