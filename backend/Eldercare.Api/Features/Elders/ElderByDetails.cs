using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Elders;

/// <summary>
/// Finds the one elder's file that fits what someone outside the station knows: the name, the last four characters of
/// the ID number and a phone on file. No fit and two fits are both refused (two fits is a data error to put right at
/// the window, not to guess at); which detail was wrong is never said.
/// </summary>
public static class ElderByDetails
{
    public static readonly Problem NotMatched = new("elder-not-matched", 404, "没有找到相符的老人档案，请核对姓名、身份证后四位和手机号，或到驿站办理");
    /// <summary>Two files answer to the same details (a data error to be put right at the window, not guessed at).</summary>
    public static readonly Problem Ambiguous = new("elder-ambiguous", 409, "有不止一份档案与这些信息相符，请到驿站办理");

    public static async Task<(Elder? Elder, Problem? Refusal)> FindAsync(EldercareDb db, string name, string idLast4, string phone, CancellationToken ct)
    {
        var trimmed = name.Trim();
        var last4 = idLast4.ToUpperInvariant();
        var matches = await db.Elders.AsNoTracking()
            .Where(e => e.Name == trimmed && e.IdNumberLast4 == last4 && (e.Phone == phone || e.SecondPhone == phone))
            .OrderBy(e => e.Id).Take(2).ToListAsync(ct);
        return matches.Count switch
        {
            0 => (null, NotMatched),
            1 => (matches[0], null),
            _ => (null, Ambiguous),
        };
    }
}
