using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Catalog;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class StartupAndJobsTestsOnSqlite(SharedApi api) : StartupAndJobsTests(api), IClassFixture<SharedApi>;

public sealed class StartupAndJobsTestsOnPostgres(SharedPostgresApi api) : StartupAndJobsTests(api), IClassFixture<SharedPostgresApi>;

/// <summary>What several nodes do at the same time without coordinating: start-up backfills and the nightly slot generation.</summary>
public abstract class StartupAndJobsTests(ApiFactory factory)
{
    [Fact]
    public async Task Nodes_starting_together_give_an_elder_one_meal_code_and_the_first_one_stands()
    {
        var s = await CreateAsync(factory);
        var elders = new List<Elder>();
        for (var i = 0; i < 30; i++) elders.Add(await s.AddElderAsync());
        var ids = elders.Select(e => e.Id).ToList();
        // Elders from before meal codes existed.
        await s.WithDbAsync(db => db.Elders.Where(e => ids.Contains(e.Id)).ExecuteUpdateAsync(x => x.SetProperty(e => e.MealCode, (string?)null)));

        using var start = new SemaphoreSlim(0);
        var nodes = Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<EldercareDb>();
            await start.WaitAsync();
            return await StartupPreparation.GiveMealCodesAsync(db);
        }).ToList();
        start.Release(2);
        var given = await Task.WhenAll(nodes);

        var codes = await s.WithDbAsync(db => db.Elders.Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.MealCode));
        foreach (var id in ids)
        {
            // Exactly one node gave this elder a code, and that code is the one on file (a card printed from it works).
            var gave = given.Where(g => g.ContainsKey(id)).ToList();
            Assert.Single(gave);
            Assert.Equal(gave[0][id], codes[id]);
        }
    }

    [Fact]
    public async Task A_slot_another_node_created_meanwhile_does_not_cost_the_rest_of_the_batch()
    {
        var s = await CreateAsync(factory);
        var there = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(7, 0), new(9, 0), capacity: 2, date: s.Day.AddDays(6));
        Slot Planned(int daysLater) => new()
        {
            CatalogItemId = s.Cleaning.Id, ResourceId = s.Pool1.Id, Date = s.Day.AddDays(daysLater), Start = new(7, 0), End = new(9, 0),
            Capacity = 2, Status = SlotStatus.Open, CutoffAt = DateTime.UtcNow.AddDays(daysLater),
        };

        int created;
        await using (var scope = factory.Services.CreateAsyncScope())
            created = await scope.ServiceProvider.GetRequiredService<SlotGenerator>().SaveAsync([Planned(5), Planned(6), Planned(7)], default);

        Assert.Equal(2, created);
        var slots = await s.WithDbAsync(db => db.Slots.Where(x => x.CatalogItemId == s.Cleaning.Id && x.ResourceId == s.Pool1.Id && x.Start == new TimeOnly(7, 0))
            .OrderBy(x => x.Date).ToListAsync());
        Assert.Equal([s.Day.AddDays(5), s.Day.AddDays(6), s.Day.AddDays(7)], slots.Select(x => x.Date));
        Assert.Equal(there.Id, slots[1].Id); // the one already there stands as it was
        Assert.All(slots, x => Assert.Equal((2, 0, SlotStatus.Open), (x.Capacity, x.Booked, x.Status)));
    }
}
