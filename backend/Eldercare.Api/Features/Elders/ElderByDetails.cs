using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Auth;
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
    public static async Task<(Elder? Elder, Problem? Refusal)> FindAsync(EldercareDb db, string name, string idLast4, string phone, CancellationToken ct)
    {
        var trimmed = name.Trim();
        var last4 = idLast4.ToUpperInvariant();
        var matches = await db.Elders.AsNoTracking()
            .Where(e => e.Name == trimmed && e.IdNumberLast4 == last4 && (e.Phone == phone || e.SecondPhone == phone))
            .OrderBy(e => e.Id).Take(2).ToListAsync(ct);
        return matches.Count switch
        {
            0 => (null, WeChatProblems.ElderNotMatched),
            1 => (matches[0], null),
            _ => (null, WeChatProblems.ElderAmbiguous),
        };
    }
}
