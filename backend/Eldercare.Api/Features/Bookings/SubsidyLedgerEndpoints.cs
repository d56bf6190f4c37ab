using System.Text.RegularExpressions;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record LedgerLineResponse(long BookingId, int RuleId, string Line, DateOnly ServiceDate, long AmountFen, DateTime RecordedAt);

public sealed record LedgerMonthResponse(int ElderId, string Month, long TotalFen, IReadOnlyDictionary<string, long> ByLine, IReadOnlyList<LedgerLineResponse> Lines);

public static partial class SubsidyLedgerEndpoints
{
    public static void MapSubsidyLedgerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/subsidy-ledger", async (int elderId, string? month, Actor actor, EldercareDb db,
            TimeProvider clock, CancellationToken ct) =>
        {
            var period = month ?? SubsidyRule.MonthPeriod(clock.Today());
            if (!IsMonth(period)) return Problems.ValidationFailed.ToResult("month must be written yyyy-MM");
            var lines = await db.SubsidyLedger.AsNoTracking().Where(l => l.ElderId == elderId && l.Month == period)
                .OrderBy(l => l.Id).ToListAsync(ct);
            return Results.Ok(new LedgerMonthResponse(elderId, period, lines.Sum(l => l.AmountFen),
                lines.GroupBy(l => l.Line.ToString()).ToDictionary(g => g.Key, g => g.Sum(l => l.AmountFen)),
                lines.Select(l => new LedgerLineResponse(l.BookingId, l.RuleId, l.Line.ToString(), l.ServiceDate, l.AmountFen, l.RecordedAt)).ToList()));
        }).WithTags("Bookings").RequireAuthorization().ForElder(write: false).Produces<LedgerMonthResponse>().WithSummary("An elder's subsidy ledger for one month: each grant and give-back, and the totals");
    }

    public static bool IsMonth(string text) => Month().IsMatch(text);

    [GeneratedRegex(@"^\d{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex Month();
}
