using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

public sealed record SubsidyGrant(int RuleId, string RuleName, long AmountFen);

/// <summary>
/// Works out and records what subsidy rules pay towards a booking. Caps are per elder, so every change runs
/// inside a transaction that holds the elder's booking lock (see <see cref="BookingEngine"/>); the budget
/// updates are also conditional, so a cap can never be exceeded.
/// </summary>
public sealed class SubsidyLedger(EldercareDb db, TimeProvider clock)
{
    /// <summary>What the rules would pay now, without recording anything (for quotes).</summary>
    public async Task<List<SubsidyGrant>> QuoteAsync(Elder elder, CatalogItem item, DateOnly serviceDate, CancellationToken ct) =>
        await QuoteAsync(await RulesForAsync(elder, item, serviceDate, ct), elder, item, serviceDate, ct);

    private async Task<List<SubsidyGrant>> QuoteAsync(IEnumerable<SubsidyRule> rules, Elder elder, CatalogItem item, DateOnly serviceDate, CancellationToken ct)
    {
        var grants = new List<SubsidyGrant>();
        var payable = item.ListPriceFen;
        foreach (var rule in rules)
        {
            var grant = Math.Min(rule.PerUse(item.ListPriceFen, payable), await AvailableAsync(elder.Id, rule, serviceDate, ct));
            if (grant <= 0) continue;
            grants.Add(new SubsidyGrant(rule.Id, rule.Name, grant));
            payable -= grant;
        }
        return grants;
    }

    /// <summary>Grants the subsidies for a new booking: uses up caps and writes ledger lines. Call inside the booking transaction.</summary>
    public async Task<List<SubsidyGrant>> GrantAsync(Elder elder, CatalogItem item, Booking booking, CancellationToken ct)
    {
        var applicable = await RulesForAsync(elder, item, booking.Date, ct);
        if (applicable.Count == 0) return [];
        var rules = applicable.ToDictionary(r => r.Id);
        var grants = await QuoteAsync(applicable, elder, item, booking.Date, ct);
        foreach (var grant in grants)
        {
            var rule = rules[grant.RuleId];
            foreach (var (period, cap) in Caps(rule, booking.Date))
                if (!await TakeAsync(elder.Id, rule.Id, period, cap, grant.AmountFen, ct))
                    throw new InvalidOperationException("A subsidy cap changed under a held elder lock."); // cannot happen while the lock is held
            db.SubsidyLedger.Add(new SubsidyLedgerEntry
            {
                ElderId = elder.Id, RuleId = rule.Id, BookingId = booking.Id, Line = booking.Line, ServiceDate = booking.Date,
                Month = SubsidyRule.MonthPeriod(booking.Date), AmountFen = grant.AmountFen, RecordedAt = clock.GetUtcNow().UtcDateTime,
            });
        }
        return grants;
    }

    /// <summary>Gives back what a cancelled booking was granted: a negative ledger line per grant and the caps freed.</summary>
    public async Task ReverseAsync(Booking booking, CancellationToken ct)
    {
        var granted = await db.SubsidyLedger.Where(l => l.BookingId == booking.Id)
            .GroupBy(l => l.RuleId).Select(g => new { RuleId = g.Key, Amount = g.Sum(l => l.AmountFen) }).ToListAsync(ct);
        foreach (var line in granted.Where(g => g.Amount > 0))
        {
            var rule = await db.SubsidyRules.SingleAsync(r => r.Id == line.RuleId, ct);
            foreach (var (period, _) in Caps(rule, booking.Date))
                await db.SubsidyBudgets.Where(b => b.ElderId == booking.ElderId && b.RuleId == rule.Id && b.Period == period)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedFen, b => b.UsedFen - line.Amount), ct);
            db.SubsidyLedger.Add(new SubsidyLedgerEntry
            {
                ElderId = booking.ElderId, RuleId = rule.Id, BookingId = booking.Id, Line = booking.Line, ServiceDate = booking.Date,
                Month = SubsidyRule.MonthPeriod(booking.Date), AmountFen = -line.Amount, RecordedAt = clock.GetUtcNow().UtcDateTime,
            });
        }
    }

    private async Task<List<SubsidyRule>> RulesForAsync(Elder elder, CatalogItem item, DateOnly day, CancellationToken ct) =>
        Applicable(await db.SubsidyRules.AsNoTracking().Where(r => r.IsActive).ToListAsync(ct), elder, item, day);

    private static List<SubsidyRule> Applicable(IEnumerable<SubsidyRule> rules, Elder elder, CatalogItem item, DateOnly day) =>
        rules.Where(r => r.AppliesTo(elder, item, day)).OrderBy(r => r.Priority).ThenBy(r => r.Id).ToList();

    private static IEnumerable<(string Period, long Cap)> Caps(SubsidyRule rule, DateOnly day)
    {
        if (rule.DailyCapFen is { } daily) yield return (SubsidyRule.DayPeriod(day), daily);
        if (rule.MonthlyCapFen is { } monthly) yield return (SubsidyRule.MonthPeriod(day), monthly);
    }

    private async Task<long> AvailableAsync(int elderId, SubsidyRule rule, DateOnly day, CancellationToken ct)
    {
        var available = long.MaxValue;
        foreach (var (period, cap) in Caps(rule, day))
        {
            var used = await db.SubsidyBudgets.Where(b => b.ElderId == elderId && b.RuleId == rule.Id && b.Period == period)
                .Select(b => (long?)b.UsedFen).SingleOrDefaultAsync(ct) ?? 0;
            available = Math.Min(available, Math.Max(0, cap - used));
        }
        return available;
    }

    /// <summary>Adds to a budget only if the cap still allows it (a conditional update: the database has the last word).</summary>
    private async Task<bool> TakeAsync(int elderId, int ruleId, string period, long cap, long amount, CancellationToken ct)
    {
        if (!await db.SubsidyBudgets.AnyAsync(b => b.ElderId == elderId && b.RuleId == ruleId && b.Period == period, ct))
        {
            db.SubsidyBudgets.Add(new SubsidyBudget { ElderId = elderId, RuleId = ruleId, Period = period, CapFen = cap, UsedFen = 0 });
            await db.SaveChangesAsync(ct);
        }
        var updated = await db.SubsidyBudgets
            .Where(b => b.ElderId == elderId && b.RuleId == ruleId && b.Period == period && b.UsedFen + amount <= cap)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedFen, b => b.UsedFen + amount).SetProperty(b => b.CapFen, cap), ct);
        return updated == 1;
    }
}
