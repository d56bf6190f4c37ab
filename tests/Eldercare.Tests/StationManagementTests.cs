using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>What a station manager runs: the caregiver roster, home visits given to caregivers, capacity templates, closures.</summary>
public sealed class StationManagementTests
{
    private static async Task<Caregiver> AddCaregiverAsync(Scenario s, string name, bool canBathe = false, int? station = null) =>
        await s.WithDbAsync(async db =>
        {
            var caregiver = new Caregiver { StationId = station ?? s.Station1.Id, Name = name, Phone = "13700000009", CanBathe = canBathe };
            db.Caregivers.Add(caregiver);
            await db.SaveChangesAsync();
            return caregiver;
        });

    private static async Task<long> BookedIdAsync(HttpClient client, int elderId, long slotId)
    {
        var booked = await BookAsync(client, elderId, slotId, mode: ServiceModes.AtHome);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return (await JsonAsync(booked)).GetProperty("id").GetInt64();
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Two_managers_assigning_one_caregiver_to_overlapping_visits_at_once_give_them_only_one(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var managers = new[] { await s.StaffClientAsync(StaffRole.StationManager), await s.StaffClientAsync(StaffRole.StationManager) };
        var morning = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 5);
        var overlapping = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(10, 0), new(12, 0), capacity: 5);
        var first = await BookedIdAsync(clerk, (await s.AddElderAsync()).Id, morning.Id);
        var second = await BookedIdAsync(clerk, (await s.AddElderAsync()).Id, overlapping.Id);
        var li = await AddCaregiverAsync(s, "李护理");

        var answers = await AllAtOnceAsync(2, i => managers[i].PostAsJsonAsync($"/api/bookings/{(i == 0 ? first : second)}/assign", new { caregiverId = li.Id }));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var refused = await HttpAssert.ProblemAsync(Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK), 409, "caregiver-busy");
        Assert.Contains("李护理", refused.GetProperty("detail").GetString());
        var assigned = await s.WithDbAsync(db => db.Bookings.AsNoTracking().Where(b => b.CaregiverId == li.Id).CountAsync());
        Assert.Equal(1, assigned);
    }

    [Fact]
    public async Task Visits_go_only_to_fitting_caregivers_of_the_station_and_only_managers_send_them()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var cleaningSlot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var bathSlot = await s.AddSlotAsync(s.Bath, s.Pool1, new(14, 0), new(15, 30));
        var lunchSlot = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), period: MealPeriod.Lunch);
        var elder = await s.AddElderAsync(ElderGroups.Disabled, ability: 2);
        var cleaning = await BookedIdAsync(clerk, elder.Id, cleaningSlot.Id);
        var bath = await BookedIdAsync(clerk, elder.Id, bathSlot.Id);
        var lunchBooked = await BookAsync(clerk, elder.Id, lunchSlot.Id, mode: ServiceModes.AtCentre);
        var lunch = (await JsonAsync(lunchBooked)).GetProperty("id").GetInt64();
        var zhao = await AddCaregiverAsync(s, "赵护理", canBathe: false);
        var qian = await AddCaregiverAsync(s, "钱护理", canBathe: true);
        var elsewhere = await AddCaregiverAsync(s, "孙护理", station: s.Station2.Id);
        Task<HttpResponseMessage> Assign(HttpClient c, long booking, int caregiver) => c.PostAsJsonAsync($"/api/bookings/{booking}/assign", new { caregiverId = caregiver });

        await HttpAssert.ProblemAsync(await Assign(clerk, cleaning, zhao.Id), 403, "forbidden");
        await HttpAssert.ProblemAsync(await Assign(await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id), cleaning, elsewhere.Id), 403, "forbidden");
        await HttpAssert.ProblemAsync(await Assign(manager, cleaning, elsewhere.Id), 404, "caregiver-not-found");
        await HttpAssert.ProblemAsync(await Assign(manager, bath, zhao.Id), 422, "caregiver-cannot-bathe");
        await HttpAssert.ProblemAsync(await Assign(manager, lunch, zhao.Id), 409, "not-a-home-visit");
        await HttpAssert.ProblemAsync(await Assign(manager, 999_999, zhao.Id), 404, "booking-not-found");
        Assert.Equal(0, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.CaregiverId != null)));

        Assert.Equal(HttpStatusCode.OK, (await Assign(manager, bath, qian.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Assign(manager, cleaning, zhao.Id)).StatusCode);
        var reassigned = await Assign(manager, cleaning, qian.Id); // 9-11 and 14-15:30 do not overlap
        Assert.Equal(HttpStatusCode.OK, reassigned.StatusCode);
        var history = (await JsonAsync(reassigned)).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("note").GetString()).ToList();
        Assert.Equal(["派给护理员 赵护理", "派给护理员 钱护理"], history.Where(n => n?.StartsWith("派给") == true));

        // A caregiver with visits still to do cannot leave the roster until they are given to someone else.
        var leave = await manager.PutAsJsonAsync($"/api/caregivers/{qian.Id}", new { name = "钱护理", phone = "13700000009", canBathe = true, isActive = false });
        await HttpAssert.ProblemAsync(leave, 409, "caregiver-has-visits");
        var zhaoLeaves = await manager.PutAsJsonAsync($"/api/caregivers/{zhao.Id}", new { name = "赵护理", phone = "13700000009", canBathe = false, isActive = false });
        Assert.Equal(HttpStatusCode.OK, zhaoLeaves.StatusCode);
        await HttpAssert.ProblemAsync(await Assign(manager, cleaning, zhao.Id), 404, "caregiver-not-found");
    }

    [Fact]
    public async Task A_manager_keeps_the_roster_and_other_roles_only_read_it()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var roster = $"/api/stations/{s.Station1.Id}/caregivers";

        var added = await manager.PostAsJsonAsync(roster, new { name = "周护理", phone = "13711112222", canBathe = true });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync(roster, new { name = "", phone = "13711112222", canBathe = true }), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync(roster, new { name = "吴护理", phone = "12345", canBathe = true }), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync(roster, new { name = "吴护理", phone = "13711112222", canBathe = true }), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id)).PostAsJsonAsync(roster,
            new { name = "吴护理", phone = "13711112222", canBathe = true }), 403, "forbidden");

        var list = await clerk.GetFromJsonAsync<JsonElement>(roster);
        var zhou = Assert.Single(list.EnumerateArray());
        Assert.Equal(("周护理", true, true), (zhou.GetProperty("name").GetString(), zhou.GetProperty("canBathe").GetBoolean(), zhou.GetProperty("isActive").GetBoolean()));
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetAsync(roster), 403, "forbidden");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_new_template_opens_slots_at_once_and_changing_it_never_goes_below_what_is_booked(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var weekday = s.Day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)s.Day.DayOfWeek;
        object Template(string start = "09:00", string end = "11:00", int capacity = 2) => new
        {
            catalogItemId = s.Cleaning.Id, resourceId = s.Pool1.Id, weekday, start, end, mealPeriod = (string?)null,
            capacity, cutoffDaysBefore = 1, cutoffTime = "18:00",
        };

        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/slot-templates", Template()), 403, "forbidden");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync("/api/slot-templates", Template(start: "11:00", end: "09:00")), 422, "bad-slot-template");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync("/api/slot-templates", Template(capacity: 0)), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync("/api/slot-templates", new
        {
            catalogItemId = s.Lunch.Id, resourceId = s.Pool1.Id, weekday, start = "11:00", end = "13:00", mealPeriod = "Lunch",
            capacity = 5, cutoffDaysBefore = 0, cutoffTime = "09:00",
        }), 422, "bad-slot-template");
        Assert.Equal(0, await s.WithDbAsync(db => db.SlotTemplates.CountAsync()));

        var created = await manager.PostAsJsonAsync("/api/slot-templates", Template());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var templateId = (await JsonAsync(created)).GetProperty("id").GetInt32();
        var slot = await s.WithDbAsync(db => db.Slots.AsNoTracking().SingleAsync(x => x.TemplateId == templateId && x.Date == s.Day));
        Assert.Equal((2, SlotStatus.Open), (slot.Capacity, slot.Status));
        var listed = await clerk.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/slot-templates");
        Assert.Equal(("保洁", weekday), (Assert.Single(listed.EnumerateArray()).GetProperty("serviceName").GetString(),
            listed[0].GetProperty("weekday").GetInt32()));

        var elders = new[] { await s.AddElderAsync(), await s.AddElderAsync() };
        foreach (var elder in elders) await BookedIdAsync(clerk, elder.Id, slot.Id);

        var lowered = await manager.PutAsJsonAsync($"/api/slot-templates/{templateId}", new { capacity = 1, isActive = true });
        Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        Assert.Equal(2, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Capacity).SingleAsync()));
        await manager.PutAsJsonAsync($"/api/slot-templates/{templateId}", new { capacity = 6, isActive = true });
        Assert.Equal(6, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Capacity).SingleAsync()));
        await manager.PutAsJsonAsync($"/api/slot-templates/{templateId}", new { capacity = 6, isActive = false });
        var stopped = await s.WithDbAsync(db => db.Slots.AsNoTracking().SingleAsync(x => x.Id == slot.Id));
        Assert.Equal((2, 2), (stopped.Capacity, stopped.Booked)); // the two bookings stand, nobody new gets in
        await HttpAssert.ProblemAsync(await BookAsync(clerk, (await s.AddElderAsync()).Id, slot.Id, mode: ServiceModes.AtHome), 409, "slot-full");
        await HttpAssert.ProblemAsync(await manager.PutAsJsonAsync("/api/slot-templates/999999", new { capacity = 6, isActive = true }), 404, "slot-template-not-found");
    }

    [Fact]
    public async Task The_station_lists_its_resources_and_closures()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);

        var closed = await manager.PostAsJsonAsync("/api/closures", new { resourceId = s.Kitchen1.Id, from = s.Day, to = s.Day, reason = "厨房检修", moveBookings = false });
        Assert.Equal(HttpStatusCode.Accepted, closed.StatusCode);

        var resources = await manager.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/resources");
        Assert.Equal(new[] { "一站护理员", "一站餐桌" }.Order(), resources.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).Order());
        var closures = await manager.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/closures");
        var closure = Assert.Single(closures.EnumerateArray());
        Assert.Equal(("一站餐桌", "厨房检修"), (closure.GetProperty("resourceName").GetString(), closure.GetProperty("reason").GetString()));
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetAsync($"/api/stations/{s.Station1.Id}/closures"), 403, "forbidden");
    }
}
