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
public sealed class SubsidyLedger(EldercareDb db, BookingQueries queries, TimeProvider clock)
{
    /// <summary>What the rules would pay now, without recording anything (for quotes).</summary>
    public async Task<List<SubsidyGrant>> QuoteAsync(Elder elder, CatalogItem item, DateOnly serviceDate, CancellationToken ct) =>
        (await QuoteEachAsync(elder, [item], serviceDate, ct))[item.Id];

    /// <summary>Quotes for several items at once (the catalogue page): rules and the elder's budgets are read once.</summary>
    public async Task<Dictionary<int, List<SubsidyGrant>>> QuoteEachAsync(Elder elder, IReadOnlyList<CatalogItem> items, DateOnly serviceDate, CancellationToken ct)
    {
        var active = await queries.ActiveSubsidyRules(db).ToListAsync(ct);
        var rulesByItem = items.ToDictionary(i => i.Id, i => Applicable(active, elder, i, serviceDate));
        var anyRules = rulesByItem.Values.SelectMany(r => r).DistinctBy(r => r.Id).ToList();
        var used = anyRules.Count == 0 ? [] : await UsedAsync(elder.Id, anyRules, serviceDate, ct);
        return items.ToDictionary(i => i.Id, i => Quote(rulesByItem[i.Id], used, i, serviceDate));
    }

    /// <summary>
    /// Grants the subsidies for a new booking from the active rules and the elder's budgets for its day and month
    /// (both read by the booking's own queries): uses up caps and writes ledger lines, all saved with the booking's
    /// next batch. Call inside the booking transaction, which holds the elder's lock.
    /// </summary>
    public List<SubsidyGrant> Grant(Elder elder, CatalogItem item, Booking booking, List<SubsidyRule> activeRules, List<SubsidyBudget> budgets)
    {
        var rules = Applicable(activeRules, elder, item, booking.Date);
        if (rules.Count == 0) return [];
        var grants = Quote(rules, budgets.ToDictionary(b => (b.RuleId, b.Period), b => b.UsedFen), item, booking.Date);
        foreach (var grant in grants)
        {
            var rule = rules.Single(r => r.Id == grant.RuleId);
            foreach (var (period, cap) in Caps(rule, booking.Date))
            {
                if (budgets.SingleOrDefault(b => b.RuleId == rule.Id && b.Period == period) is not { } budget)
                {
                    // The first use in this day or month; the unique index stops a second row should the lock ever fail.
                    db.SubsidyBudgets.Add(new SubsidyBudget { ElderId = elder.Id, RuleId = rule.Id, Period = period, CapFen = cap, UsedFen = grant.AmountFen });
                    continue;
                }
                // UsedFen is a concurrency token: the update applies only to the amount read, so the database has the
                // last word on the cap even should the elder's lock ever fail.
                db.SubsidyBudgets.Attach(budget);
                budget.UsedFen += grant.AmountFen;
                budget.CapFen = cap;
            }
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
        foreach (var (rule, amount) in await GrantedAsync(booking, ct))
        {
            foreach (var (period, _) in Caps(rule, booking.Date))
                await db.SubsidyBudgets.Where(b => b.ElderId == booking.ElderId && b.RuleId == rule.Id && b.Period == period)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedFen, b => b.UsedFen - amount), ct);
            db.SubsidyLedger.Add(new SubsidyLedgerEntry
            {
                ElderId = booking.ElderId, RuleId = rule.Id, BookingId = booking.Id, Line = booking.Line, ServiceDate = booking.Date,
                Month = SubsidyRule.MonthPeriod(booking.Date), AmountFen = -amount, RecordedAt = clock.GetUtcNow().UtcDateTime,
            });
        }
    }

    /// <summary>
    /// Whether what a booking was granted still fits the caps of another day (a closure moving it there): the day's and,
    /// in another month, the month's budgets must have room. Read under the elder's lock, so nothing changes it before
    /// <see cref="MoveAsync"/>.
    /// </summary>
    public async Task<bool> FitsOnAsync(Booking booking, DateOnly newDate, CancellationToken ct)
    {
        foreach (var (rule, amount) in await GrantedAsync(booking, ct))
            foreach (var (period, cap) in NewPeriods(rule, booking.Date, newDate))
            {
                var used = await db.SubsidyBudgets.Where(b => b.ElderId == booking.ElderId && b.RuleId == rule.Id && b.Period == period)
                    .Select(b => (long?)b.UsedFen).SingleOrDefaultAsync(ct) ?? 0;
                if (used + amount > cap) return false;
            }
        return true;
    }

    /// <summary>
    /// Moves a booking's grants to another day: the old day's (and month's) caps are freed, the new ones taken, and the
    /// ledger shows the grant given back on the old date and granted on the new, so monthly figures follow the service.
    /// Check <see cref="FitsOnAsync"/> first; call under the elder's lock.
    /// </summary>
    public async Task MoveAsync(Booking booking, DateOnly newDate, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (rule, amount) in await GrantedAsync(booking, ct))
        {
            foreach (var (period, _) in NewPeriods(rule, newDate, booking.Date))
                await db.SubsidyBudgets.Where(b => b.ElderId == booking.ElderId && b.RuleId == rule.Id && b.Period == period)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedFen, b => b.UsedFen - amount), ct);
            foreach (var (period, cap) in NewPeriods(rule, booking.Date, newDate))
            {
                var grew = await db.SubsidyBudgets.Where(b => b.ElderId == booking.ElderId && b.RuleId == rule.Id && b.Period == period)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedFen, b => b.UsedFen + amount), ct);
                if (grew == 0) db.SubsidyBudgets.Add(new SubsidyBudget { ElderId = booking.ElderId, RuleId = rule.Id, Period = period, CapFen = cap, UsedFen = amount });
            }
            foreach (var (date, fen) in new[] { (booking.Date, -amount), (newDate, amount) })
                db.SubsidyLedger.Add(new SubsidyLedgerEntry
                {
                    ElderId = booking.ElderId, RuleId = rule.Id, BookingId = booking.Id, Line = booking.Line, ServiceDate = date,
                    Month = SubsidyRule.MonthPeriod(date), AmountFen = fen, RecordedAt = now,
                });
        }
    }

    /// <summary>What each rule has granted a booking, net of give-backs (rules that gave nothing left out).</summary>
    private async Task<List<(SubsidyRule Rule, long Amount)>> GrantedAsync(Booking booking, CancellationToken ct)
    {
        var granted = await db.SubsidyLedger.Where(l => l.BookingId == booking.Id)
            .GroupBy(l => l.RuleId).Select(g => new { RuleId = g.Key, Amount = g.Sum(l => l.AmountFen) }).ToListAsync(ct);
        granted.RemoveAll(g => g.Amount <= 0);
        if (granted.Count == 0) return [];
        var ruleIds = granted.Select(g => g.RuleId).ToList();
        var rules = await db.SubsidyRules.AsNoTracking().Where(r => ruleIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        return granted.Select(g => (rules[g.RuleId], g.Amount)).ToList();
    }

    /// <summary>The cap periods of <paramref name="to"/> that <paramref name="from"/> does not share (a new day; a new month only across months).</summary>
    private static IEnumerable<(string Period, long Cap)> NewPeriods(SubsidyRule rule, DateOnly from, DateOnly to)
    {
        var old = Caps(rule, from).Select(c => c.Period).ToHashSet();
        return Caps(rule, to).Where(c => !old.Contains(c.Period));
    }

    private static List<SubsidyRule> Applicable(IEnumerable<SubsidyRule> active, Elder elder, CatalogItem item, DateOnly day) =>
        active.Where(r => r.AppliesTo(elder, item, day)).OrderBy(r => r.Priority).ThenBy(r => r.Id).ToList();

    /// <summary>What the elder has used of each rule's caps in the service's day and month, read in one query.</summary>
    private async Task<Dictionary<(int RuleId, string Period), long>> UsedAsync(int elderId, List<SubsidyRule> rules, DateOnly day, CancellationToken ct)
    {
        var ruleIds = rules.Select(r => r.Id).ToList();
        var periods = new[] { SubsidyRule.DayPeriod(day), SubsidyRule.MonthPeriod(day) };
        var budgets = await db.SubsidyBudgets.AsNoTracking()
            .Where(b => b.ElderId == elderId && ruleIds.Contains(b.RuleId) && periods.Contains(b.Period)).ToListAsync(ct);
        return budgets.ToDictionary(b => (b.RuleId, b.Period), b => b.UsedFen);
    }

    /// <summary>Rules in order, each paying its per-use amount, limited by what is left of its caps and of the price.</summary>
    private static List<SubsidyGrant> Quote(List<SubsidyRule> rules, Dictionary<(int RuleId, string Period), long> used, CatalogItem item, DateOnly day)
    {
        var grants = new List<SubsidyGrant>();
        var payable = item.ListPriceFen;
        foreach (var rule in rules)
        {
            var available = Caps(rule, day).Select(c => Math.Max(0, c.Cap - used.GetValueOrDefault((rule.Id, c.Period)))).DefaultIfEmpty(long.MaxValue).Min();
            var grant = Math.Min(rule.PerUse(item.ListPriceFen, payable), available);
            if (grant <= 0) continue;
            grants.Add(new SubsidyGrant(rule.Id, rule.Name, grant));
            payable -= grant;
        }
        return grants;
    }

    private static IEnumerable<(string Period, long Cap)> Caps(SubsidyRule rule, DateOnly day)
    {
        if (rule.DailyCapFen is { } daily) yield return (SubsidyRule.DayPeriod(day), daily);
        if (rule.MonthlyCapFen is { } monthly) yield return (SubsidyRule.MonthPeriod(day), monthly);
    }
}
