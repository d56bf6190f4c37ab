using Eldercare.Api.Infrastructure.Errors;

namespace Eldercare.Api.Features.Sessions;

/// <summary>A request body that names the elder it acts for (see <see cref="ElderAccess.ForElder"/>).</summary>
public interface IForElder
{
    int ElderId { get; }
}

/// <summary>
/// "May this caller act for this elder?" said once on the endpoint instead of inside it: the elder is the one the
/// request's body names (<see cref="IForElder"/>), or else the handler's bound <c>elderId</c>; the answer is
/// <see cref="AccessPolicy.CheckElderAsync"/>'s, before the handler runs. A request that names no elder passes to the
/// handler, which decides (an elder's own requests default to themself).
/// </summary>
public static class ElderAccess
{
    /// <summary>On an endpoint guarded by <see cref="ForElder"/> (a test checks that every endpoint taking an <see cref="IForElder"/> body has it).</summary>
    public sealed record Guarded(bool Write);

    /// <param name="write">Booking, cancelling or planning for the elder, rather than reading about them.</param>
    public static RouteHandlerBuilder ForElder(this RouteHandlerBuilder endpoint, bool write) =>
        endpoint.WithMetadata(new Guarded(write)).AddEndpointFilterFactory((factory, next) =>
        {
            // Which of the handler's arguments names the elder is known once, when the endpoint is built: its body (an
            // IForElder), or else its own elderId, bound as the handler will use it ("+42" and " 42" are 42), so nothing
            // can slip past the check by being parsed differently here.
            var parameters = factory.MethodInfo.GetParameters();
            var body = Array.FindIndex(parameters, p => typeof(IForElder).IsAssignableFrom(p.ParameterType));
            var queried = Array.FindIndex(parameters, p => string.Equals(p.Name, "elderId", StringComparison.OrdinalIgnoreCase));
            var actorAt = Array.FindIndex(parameters, p => p.ParameterType == typeof(Actor));
            return async context =>
            {
                var elderId = body >= 0 ? (context.Arguments[body] as IForElder)?.ElderId : queried >= 0 ? context.Arguments[queried] as int? : null;
                if (elderId is not { } id) return await next(context);
                var http = context.HttpContext;
                var actor = actorAt >= 0 && context.Arguments[actorAt] is Actor bound ? bound : Actor.From(http.User);
                var access = http.RequestServices.GetRequiredService<AccessPolicy>();
                return await access.CheckElderAsync(actor, id, write, http.RequestAborted) is { } denied ? denied.ToResult() : await next(context);
            };
        });
}
