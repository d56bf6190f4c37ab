using System.Security.Claims;

namespace Eldercare.Api.Features.Sessions;

public sealed record SessionResponse(string Kind, int Id, string Channel, string? Role, int? StationId);

public static class SessionEndpoints
{
    public static void MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/session").WithTags("Sessions").RequireAuthorization();

        group.MapGet("/", (ClaimsPrincipal user) => TypedResults.Ok(new SessionResponse(
            user.FindFirstValue(SessionClaims.Kind)!,
            int.Parse(user.FindFirstValue(SessionClaims.Id)!),
            user.FindFirstValue(SessionClaims.Channel)!,
            user.FindFirstValue(ClaimTypes.Role),
            user.FindFirstValue(SessionClaims.StationId) is { } s ? int.Parse(s) : null)))
            .WithSummary("Who the current session acts as");

        group.MapDelete("/", async (HttpContext http, SessionStore sessions) =>
        {
            await sessions.EndAsync(SessionAuthenticationHandler.BearerToken(http.Request)!, http.RequestAborted);
            return TypedResults.NoContent();
        }).WithSummary("Log out: the token stops working at once");
    }
}
