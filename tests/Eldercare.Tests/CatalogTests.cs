using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class CatalogTestsOnSqlite(SharedApi api) : CatalogTests(api), IClassFixture<SharedApi>;

public sealed class CatalogTestsOnPostgres(SharedPostgresApi api) : CatalogTests(api), IClassFixture<SharedPostgresApi>;

public abstract class CatalogTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task An_officers_price_change_makes_a_new_version_and_earlier_bookings_keep_their_terms()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot1 = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var slot2 = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0));
        var hotline = await s.HotlineClientAsync();
        var officer = await s.StaffClientAsync(StaffRole.Officer);
        var before = await JsonAsync(await BookAsync(hotline, elder.Id, slot1.Id));

        var change = new
        {
            code = s.Cleaning.Code, line = "Cleaning", name = "保洁（新价）", detail = "涨价", modes = "AtHome", provider = "护理员", durationMinutes = 120,
            listPriceFen = 9000, isBasic = false, eligibleGroups = "None", minAbilityLevel = 0, maxAbilityLevel = 4, minAge = 60,
        };
        var updated = await officer.PutAsJsonAsync($"/api/catalog/{s.Cleaning.Id}", change, Json);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, (await JsonAsync(updated)).GetProperty("version").GetInt32());
        var inverted = new { change.code, change.line, change.name, change.detail, change.modes, change.provider, change.durationMinutes,
            change.listPriceFen, change.isBasic, change.eligibleGroups, minAbilityLevel = 3, maxAbilityLevel = 1, change.minAge };
        await HttpAssert.ProblemAsync(await officer.PutAsJsonAsync($"/api/catalog/{s.Cleaning.Id}", inverted, Json), 400, "bad-ability-range");

        var after = await JsonAsync(await BookAsync(hotline, elder.Id, slot2.Id));
        Assert.Equal(8000, before.GetProperty("price").GetProperty("listFen").GetInt64());
        Assert.Equal(1, before.GetProperty("serviceVersion").GetInt32());
        Assert.Equal(9000, after.GetProperty("price").GetProperty("listFen").GetInt64());
        Assert.Equal(2, after.GetProperty("serviceVersion").GetInt32());
        var kept = await hotline.GetFromJsonAsync<JsonElement>($"/api/bookings/{before.GetProperty("id").GetInt64()}");
        Assert.Equal(8000, kept.GetProperty("price").GetProperty("listFen").GetInt64());

        var versions = await officer.GetFromJsonAsync<List<JsonElement>>($"/api/catalog/{s.Cleaning.Id}/versions");
        Assert.Equal([8000L, 9000L], versions!.Select(v => v.GetProperty("listPriceFen").GetInt64()));
    }

    [Fact]
    public async Task Availability_shows_places_left_and_why_a_slot_cannot_be_booked()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var open = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2);
        await s.AddSlotAsync(s.Cleaning, s.Pool2, new(9, 0), new(11, 0), capacity: 2); // another zone: not offered for a home visit
        var late = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), cutoffAt: DateTime.UtcNow.AddMinutes(-5));
        var client = await s.ElderClientAsync(elder);
        await BookAsync(client, elder.Id, open.Id);

        var slots = await client.GetFromJsonAsync<List<JsonElement>>($"/api/availability?serviceId={s.Cleaning.Id}&elderId={elder.Id}&from={s.Day:yyyy-MM-dd}&to={s.Day:yyyy-MM-dd}");
        Assert.Equal(2, slots!.Count);
        var first = slots.Single(x => x.GetProperty("slotId").GetInt64() == open.Id);
        Assert.Equal(1, first.GetProperty("remaining").GetInt32());
        Assert.True(first.GetProperty("bookable").GetBoolean());
        var closed = slots.Single(x => x.GetProperty("slotId").GetInt64() == late.Id);
        Assert.False(closed.GetProperty("bookable").GetBoolean());
        Assert.Equal("已经过了预约截止时间", closed.GetProperty("notBookableReason").GetString());

        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/availability?serviceId={s.Cleaning.Id}&from=2026-01-01&to=2026-06-01"), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/availability?serviceId=99999"), 404, "service-not-found");
    }
}

/// <summary>Cut-offs are instants of Beijing time: 09:30 in Beijing is 01:30 UTC.</summary>
public sealed class CutoffTests
{
    [Fact]
    public async Task A_lunch_with_a_0930_cut_off_is_bookable_at_0929_beijing_time_and_not_at_0931()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        using var factory = new ClockedFactory(clock);
        var s = await CreateAsync(factory);
        var day = s.Day;
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), date: day, cutoffAt: BusinessTime.ToUtc(day, new TimeOnly(9, 30)), period: MealPeriod.Lunch);
        var early = await s.AddElderAsync();
        var late = await s.AddElderAsync();

        clock.Set(new DateTimeOffset(day.ToDateTime(new TimeOnly(1, 29)), TimeSpan.Zero)); // 09:29 in Beijing
        var hotline = await s.HotlineClientAsync(); // sessions live on the same clock, so log in at the new time
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(hotline, early.Id, lunch.Id)).StatusCode);
        clock.Set(new DateTimeOffset(day.ToDateTime(new TimeOnly(1, 31)), TimeSpan.Zero)); // 09:31 in Beijing
        await HttpAssert.ProblemAsync(await BookAsync(hotline, late.Id, lunch.Id), 422, "cut-off-passed");
        // Elders cannot cancel after the cut-off either (the kitchen is cooking); the station can.
        var booked = (await hotline.GetFromJsonAsync<List<JsonElement>>($"/api/bookings?elderId={early.Id}"))!.Single().GetProperty("id").GetInt64();
        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync($"/api/bookings/{booked}/cancel", new { reason = "不想吃了" }), 422, "cut-off-passed");
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/bookings/{booked}/cancel", new { reason = "老人临时住院" })).StatusCode);
    }

    private sealed class ClockedFactory(TestClock clock) : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}
