using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.PersonalData;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Hotline;

/// <summary>Who is calling: the caller's number (none when withheld) and, when asked for, the last four of the ID number.</summary>
public sealed record IdentifyCallerRequest(
    [property: RegularExpression(@"^\+?[0-9\-]{3,20}$")] string? CallerNumber,
    [property: RegularExpression("^[0-9]{3}[0-9Xx]$")] string? IdLast4);

/// <summary>The elder identified (Name is how the IVR greets them), or how many files the number fits (0, or 2 and more: ask for the ID tail).</summary>
public sealed record IdentifyCallerResponse(int? ElderId, string? Name, int Candidates);

/// <summary>
/// Caller ID to elder, for the hotline: a number on exactly one active file identifies the elder; a number shared
/// by several elders (couples share landlines), an unknown number or a withheld one needs the last four characters
/// of the ID number too (or alone, for a withheld number, when they fit exactly one file).
/// </summary>
public static class CallerIdentification
{
    public static readonly Problem HotlineOnly = new("hotline-only", 403, "只有热线可以按来电识别老人");

    public static void MapCallerIdentification(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/hotline/identify", async (IdentifyCallerRequest body, ClaimsPrincipal user, EldercareDb db, IdNumberProtector ids, CancellationToken ct) =>
        {
            var actor = Actor.From(user);
            if (actor.Kind != PrincipalKind.Service && actor.Role != StaffRole.HotlineAgent) return HotlineOnly.ToResult();
            var forms = FormsOf(body.CallerNumber);
            var query = db.Elders.AsNoTracking().Where(e => e.Status != ElderStatus.Deceased);
            if (forms.Length > 0)
                query = query.Where(e => forms.Contains(e.Phone.Replace("-", "")) || (e.SecondPhone != null && forms.Contains(e.SecondPhone.Replace("-", ""))));
            else if (body.IdLast4 is null) return Results.Ok(new IdentifyCallerResponse(null, null, 0));
            if (body.IdLast4 is { } last4) query = query.Where(e => e.IdNumberTailHash == ids.TailHash(last4));
            var found = await query.OrderBy(e => e.Id).Select(e => new { e.Id, e.Name }).Take(2).ToListAsync(ct);
            return Results.Ok(found.Count == 1
                ? new IdentifyCallerResponse(found[0].Id, found[0].Name, 1)
                : new IdentifyCallerResponse(null, null, found.Count));
        }).WithTags("Hotline").RequireAuthorization().WithSummary("Caller ID (and the ID number's last four) to an elder, for the hotline");

    /// <summary>
    /// The ways a file may hold the caller's number: +86 dropped, and a Beijing landline with and without its 010
    /// (files keep numbers as registered, dashes aside).
    /// </summary>
    private static string[] FormsOf(string? number)
    {
        if (string.IsNullOrWhiteSpace(number)) return [];
        var digits = number.Replace("-", "").Replace(" ", "");
        if (digits.StartsWith("+86", StringComparison.Ordinal)) digits = digits[3..];
        if (digits.Length == 8) return [digits, "010" + digits];
        if (digits.Length == 11 && digits.StartsWith("010", StringComparison.Ordinal)) return [digits, digits[3..]];
        return [digits];
    }
}
