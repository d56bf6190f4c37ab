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
        endpoint.WithMetadata(new Guarded(write)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var elderId = context.Arguments.OfType<IForElder>().Select(b => (int?)b.ElderId).FirstOrDefault() ?? BoundElderId(context);
            if (elderId is not { } id) return await next(context);
            var actor = context.Arguments.OfType<Actor>().FirstOrDefault() ?? Actor.From(http.User);
            var access = http.RequestServices.GetRequiredService<AccessPolicy>();
            return await access.CheckElderAsync(actor, id, write, http.RequestAborted) is { } denied ? denied.ToResult() : await next(context);
        });

    /// <summary>
    /// The value the handler's own <c>elderId</c> parameter was bound to: exactly what it will use, however the query
    /// wrote it ("+42", " 42"), so nothing can slip past the check by being parsed differently here.
    /// </summary>
    private static int? BoundElderId(EndpointFilterInvocationContext context)
    {
        var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.GetParameters() ?? [];
        var at = Array.FindIndex(parameters, p => string.Equals(p.Name, "elderId", StringComparison.OrdinalIgnoreCase));
        return at >= 0 && at < context.Arguments.Count ? context.Arguments[at] as int? : null;
    }
}
