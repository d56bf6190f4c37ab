using System.Net;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class BookingAccessTestsOnSqlite(SharedApi api) : BookingAccessTests(api), IClassFixture<SharedApi>;

public sealed class BookingAccessTestsOnPostgres(SharedPostgresApi api) : BookingAccessTests(api), IClassFixture<SharedPostgresApi>;

/// <summary>Each access rule of the booking engine, and each refusal.</summary>
public abstract class BookingAccessTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task An_elder_books_only_for_themself()
    {
        var s = await CreateAsync(_factory);
        var me = await s.AddElderAsync();
        var neighbour = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var client = await s.ElderClientAsync(me);

        await HttpAssert.ProblemAsync(await BookAsync(client, neighbour.Id, slot.Id), 403, "not-yourself");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/bookings?elderId={neighbour.Id}"), 403, "not-yourself");
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(client, me.Id, slot.Id)).StatusCode);
    }

    [Fact]
    public async Task A_family_member_acts_only_for_bound_elders()
    {
        var s = await CreateAsync(_factory);
        var mother = await s.AddElderAsync();
        var stranger = await s.AddElderAsync();
        var member = await s.AddFamilyAsync(mother.Id);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var client = await s.FamilyClientAsync(member);

        var booked = await BookAsync(client, mother.Id, slot.Id);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        Assert.Equal("FamilyMember", (await JsonAsync(booked)).GetProperty("bookedBy").GetString());
        await HttpAssert.ProblemAsync(await BookAsync(client, stranger.Id, slot.Id), 403, "not-bound");

        // The stranger's booking is invisible and cannot be cancelled by this family member.
        var hotline = await s.HotlineClientAsync();
        var theirs = (await JsonAsync(await BookAsync(hotline, stranger.Id, slot.Id))).GetProperty("id").GetInt64();
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/bookings/{theirs}"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/bookings/{theirs}/cancel", new { reason = "x" }), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/catalog?elderId={stranger.Id}"), 403, "not-bound");

        // Nor waitlisted, planned for, or read about, in any of the ways a request names an elder; nothing is written.
        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync("/api/waitlist", new { elderId = stranger.Id, slotId = slot.Id }), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync("/api/meal-plans", new { elderId = stranger.Id, weekdays = new[] { 1 }, period = "Lunch", menuItemId = s.Lunch.Id, mealPointId = s.Kitchen1.Id, mode = "AtCentre" }), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/meal-plans?elderId={stranger.Id}"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/subsidy-ledger?elderId={stranger.Id}"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/bookings?elderId={stranger.Id}"), 403, "not-bound");
        // However the id is written, the check sees the value the endpoint uses ("+42" and " 42" bind as 42).
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/bookings?elderId=%2B{stranger.Id}"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/subsidy-ledger?elderId=%20{stranger.Id}"), 403, "not-bound");
        Assert.Equal(0, await s.WithDbAsync(db => db.WaitlistEntries.CountAsync(w => w.ElderId == stranger.Id)));
        Assert.Equal(0, await s.WithDbAsync(db => db.MealPlans.CountAsync(p => p.ElderId == stranger.Id)));
    }

    [Fact]
    public async Task A_clerk_books_for_elders_of_their_station_zone_only()
    {
        var s = await CreateAsync(_factory);
        var local = await s.AddElderAsync(station: 1);
        var other = await s.AddElderAsync(station: 2);
        var slot = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), period: MealPeriod.Lunch);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);

        var booked = await BookAsync(clerk, local.Id, slot.Id);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        Assert.Equal("Window", (await JsonAsync(booked)).GetProperty("channel").GetString());
        await HttpAssert.ProblemAsync(await BookAsync(clerk, other.Id, slot.Id), 403, "out-of-zone");
    }

    [Fact]
    public async Task Officers_and_caregivers_read_but_book_nothing()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var officer = await s.StaffClientAsync(StaffRole.Officer, station: null);
        var caregiver = await s.StaffClientAsync(StaffRole.Caregiver, s.Station1.Id);

        await HttpAssert.ProblemAsync(await BookAsync(officer, elder.Id, slot.Id), 403, "read-only-role");
        await HttpAssert.ProblemAsync(await BookAsync(caregiver, elder.Id, slot.Id), 403, "read-only-role");
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/bookings?elderId={elder.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/availability?serviceId={s.Cleaning.Id}&elderId={elder.Id}")).StatusCode);

        // Money is the window's and the officers': caregivers and hotline agents see no refunds, summaries or findings.
        var agent = await s.StaffClientAsync(StaffRole.HotlineAgent, station: null);
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var path in new[] { $"/api/stations/{s.Station1.Id}/refunds", $"/api/subsidy-summaries?month={month}", "/api/reconciliation/findings" })
        {
            await HttpAssert.ProblemAsync(await caregiver.GetAsync(path), 403, "forbidden");
            await HttpAssert.ProblemAsync(await agent.GetAsync(path), 403, "forbidden");
            Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await (await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id)).GetAsync(path)).StatusCode);
        }
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetAsync($"/api/stations/{s.Station1.Id}/refunds"), 403, "forbidden");
    }

    [Fact]
    public async Task Only_officers_change_the_catalogue_and_subsidy_rules_and_no_session_gets_401()
    {
        var s = await CreateAsync(_factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var change = new
        {
            code = s.Cleaning.Code, line = "Cleaning", name = "保洁", detail = "", modes = "AtHome", provider = "护理员", durationMinutes = 120,
            listPriceFen = 1, isBasic = false, eligibleGroups = "None", minAbilityLevel = 0, maxAbilityLevel = 4, minAge = 60,
        };
        await HttpAssert.ProblemAsync(await clerk.PutAsJsonAsync($"/api/catalog/{s.Cleaning.Id}", change, Json), 403, "forbidden");
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/subsidy-rules", new { name = "x", kind = "FixedAmount", amount = 1 }, Json), 403, "forbidden");
        await HttpAssert.ProblemAsync(await _factory.CreateClient().GetAsync("/api/catalog"), 401, "unauthenticated");
    }
}
