using System.ComponentModel.DataAnnotations;
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

/// <summary>
/// The elder identified (Name is how the IVR greets them; DutyPhone is their station's duty phone, the second person
/// the hotline tries; StationId, whose slots are offered first), or how many files the number fits (0, or 2 and more: ask for the ID tail).
/// </summary>
public sealed record IdentifyCallerResponse(int? ElderId, string? Name, int Candidates, string? DutyPhone = null, int? StationId = null, bool NumberOnFile = false);

/// <summary>A number an identified caller asked the hotline to know them by from now on.</summary>
public sealed record RememberNumberRequest([property: Range(1, int.MaxValue)] int ElderId, [property: Required, RegularExpression(@"^\+?[0-9\-]{3,20}$")] string Number);

/// <summary>
/// Caller ID to elder, for the hotline: a number on exactly one active file identifies the elder; a number shared
/// by several elders (couples share landlines) needs the last four characters of the ID number too; a withheld number
/// or one on no file is identified by the last four alone when they fit exactly one file (the hotline confirms the name).
/// </summary>
public static class CallerIdentification
{
    public static readonly Problem HotlineOnly = new("hotline-only", 403, "只有热线可以按来电识别老人");
    public static readonly Problem PhonesFull = new("phones-full", 409, "您已经登记了两个电话，要换电话请到驿站窗口办理");

    public static void MapCallerIdentification(this IEndpointRouteBuilder app)
    {
        // The caller, identified by the ID tail and their name, asks to be known by this number from now on: it becomes
        // the file's second phone while that is free (a change of phone is done at the window, where staff see the elder).
        app.MapPost("/api/hotline/known-numbers", async (RememberNumberRequest body, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Service) return HotlineOnly.ToResult();
            var number = body.Number.Replace("-", "");
            var elder = await db.Elders.AsNoTracking().Where(e => e.Id == body.ElderId).Select(e => new { e.Phone, e.SecondPhone }).SingleOrDefaultAsync(ct);
            if (elder is null) return AccessPolicy.ElderNotFound.ToResult();
            if (elder.Phone.Replace("-", "") == number || elder.SecondPhone?.Replace("-", "") == number) return Results.NoContent();
            var written = await db.Elders.Where(e => e.Id == body.ElderId && e.SecondPhone == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.SecondPhone, number), ct);
            return written == 1 ? Results.NoContent() : PhonesFull.ToResult();
        }).WithTags("Hotline").RequireAuthorization().Produces(StatusCodes.Status204NoContent).WithSummary("The hotline records the number an identified caller asked to be known by (the file's second phone, while free)");

        app.MapPost("/api/hotline/identify", async (IdentifyCallerRequest body, Actor actor, EldercareDb db, IdNumberProtector ids, CancellationToken ct) =>
        {
            if (!AccessPolicy.IsHotline(actor)) return HotlineOnly.ToResult();
            var forms = FormsOf(body.CallerNumber);
            var living = db.Elders.AsNoTracking().Where(e => e.Status != ElderStatus.Deceased);
            var onNumber = living.Where(e => forms.Contains(e.Phone.Replace("-", "")) || (e.SecondPhone != null && forms.Contains(e.SecondPhone.Replace("-", ""))));
            // A number on no file (a neighbour's phone, a new mobile) is as good as a withheld one: the ID tail alone
            // may identify, and the hotline then asks the caller to confirm the name it found.
            var byNumber = forms.Length > 0 && await onNumber.AnyAsync(ct);
            if (!byNumber && body.IdLast4 is null) return Results.Ok(new IdentifyCallerResponse(null, null, 0));
            var query = byNumber ? onNumber : living;
            if (body.IdLast4 is { } last4) query = query.Where(e => e.IdNumberTailHash == ids.TailHash(last4));
            var found = await (from e in query
                               join c in db.Communities on e.CommunityId equals c.Id
                               join s in db.Stations on c.StationId equals s.Id
                               orderby e.Id
                               select new { e.Id, e.Name, s.DutyPhone, StationId = s.Id }).Take(2).ToListAsync(ct);
            return Results.Ok(found.Count == 1
                ? new IdentifyCallerResponse(found[0].Id, found[0].Name, 1, found[0].DutyPhone, found[0].StationId, byNumber)
                : new IdentifyCallerResponse(null, null, found.Count, NumberOnFile: byNumber));
        }).WithTags("Hotline").RequireAuthorization().Produces<IdentifyCallerResponse>().WithSummary("Caller ID (and the ID number's last four) to an elder, for the hotline");
    }

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
