using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class SubsidySummaryTestsOnSqlite(SharedApi api) : SubsidySummaryTests(api), IClassFixture<SharedApi>;

public sealed class SubsidySummaryTestsOnPostgres(SharedPostgresApi api) : SubsidySummaryTests(api), IClassFixture<SharedPostgresApi>;

public abstract class SubsidySummaryTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task The_monthly_summary_sums_each_stations_subsidies_per_line_and_each_station_sees_its_own()
    {
        var s = await CreateAsync(_factory);
        await s.AddRuleAsync(new SubsidyRule { Name = $"助洁补贴{s.Tag}", Line = ServiceLine.Cleaning, Kind = SubsidyKind.FixedAmount, Amount = 1000, Priority = 1 });
        var morning = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var afternoon = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0));
        var otherStation = await s.AddSlotAsync(s.Cleaning, s.Pool2, new(14, 0), new(16, 0));
        var (a, b, c) = (await s.AddElderAsync(), await s.AddElderAsync(), await s.AddElderAsync(station: 2));
        var hotline = await s.HotlineClientAsync();
        await BookAsync(hotline, a.Id, morning.Id);
        var cancelled = (await JsonAsync(await BookAsync(hotline, b.Id, morning.Id))).GetProperty("id").GetInt64();
        await BookAsync(hotline, b.Id, afternoon.Id);
        await BookAsync(hotline, c.Id, otherStation.Id);
        Assert.True((await hotline.PostAsJsonAsync($"/api/bookings/{cancelled}/cancel", new { reason = "不需要了" })).IsSuccessStatusCode);

        var month = SubsidyRule.MonthPeriod(s.Day);
        using (var scope = _factory.Services.CreateScope())
        {
            var summaries = scope.ServiceProvider.GetRequiredService<SubsidySummaries>();
            await summaries.ComputeAsync(month, default);
            await summaries.ComputeAsync(month, default); // running it again replaces, never doubles
        }

        var officer = await s.StaffClientAsync(StaffRole.Officer);
        var all = await officer.GetFromJsonAsync<List<SubsidySummaryResponse>>($"/api/subsidy-summaries?month={month}", Json);
        var ours = all!.Where(r => r.StationId == s.Station1.Id || r.StationId == s.Station2.Id).OrderBy(r => r.StationId).ToList();
        // Station 1: three grants of 10 yuan, one given back; two elders. Station 2: one grant.
        Assert.Equal([(s.Station1.Id, ServiceLine.Cleaning, 2, 2, 2000L), (s.Station2.Id, ServiceLine.Cleaning, 1, 1, 1000L)],
            ours.Select(r => (r.StationId, r.Line, r.Uses, r.Elders, r.AmountFen)));

        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id);
        var own = await clerk.GetFromJsonAsync<List<SubsidySummaryResponse>>($"/api/subsidy-summaries?month={month}", Json);
        Assert.Equal([s.Station2.Id], own!.Select(r => r.StationId).Distinct());
        await HttpAssert.ProblemAsync(await clerk.GetAsync($"/api/subsidy-summaries?month={month}&stationId={s.Station1.Id}"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await hotline.GetAsync($"/api/subsidy-summaries?month={month}"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await officer.GetAsync("/api/subsidy-summaries?month=2026-13"), 400, "validation-failed");
    }
}
