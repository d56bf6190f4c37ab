using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>A station's day: what the kitchen, the rounds and the caregivers need, and meals handed out by meal code.</summary>
public sealed class StationDayTests
{
    private static DateOnly Today => DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));

    /// <summary>Today's slots stay bookable all day, whatever the hour the tests run.</summary>
    private static DateTime EndOfToday => BusinessTime.ToUtc(Today, new TimeOnly(23, 59));

    private static async Task<long> BookedIdAsync(HttpClient client, int elderId, long slotId, ServiceModes mode)
    {
        var booked = await BookAsync(client, elderId, slotId, mode: mode);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return (await JsonAsync(booked)).GetProperty("id").GetInt64();
    }

    private static Task<HttpResponseMessage> CheckInAsync(HttpClient client, string? code, string period = "Lunch") =>
        client.PostAsJsonAsync("/api/meal-checkins", new { mealCode = code, period });

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task The_day_counts_portions_per_menu_stops_per_route_and_visits_per_caregiver(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, date: Today, cutoffAt: EndOfToday, period: MealPeriod.Lunch);
        var cleaning = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), capacity: 3, date: Today, cutoffAt: EndOfToday);
        var diners = new[] { await s.AddElderAsync(), await s.AddElderAsync() };
        var housebound = await s.AddElderAsync();
        foreach (var diner in diners) await BookedIdAsync(clerk, diner.Id, lunch.Id, ServiceModes.AtCentre);
        await BookedIdAsync(clerk, housebound.Id, lunch.Id, ServiceModes.Delivery);
        var visit = await BookedIdAsync(clerk, housebound.Id, cleaning.Id, ServiceModes.AtHome);
        var gone = await s.AddElderAsync();
        var cancelled = await BookedIdAsync(clerk, gone.Id, lunch.Id, ServiceModes.AtCentre);
        await clerk.PostAsJsonAsync($"/api/bookings/{cancelled}/cancel", new { reason = "不来了" });
        var wang = await s.WithDbAsync(async db =>
        {
            var caregiver = new Caregiver { StationId = s.Station1.Id, Name = "王护理", Phone = "13700000001", CanBathe = false };
            db.Caregivers.Add(caregiver);
            await db.SaveChangesAsync();
            return caregiver;
        });

        var day = await clerk.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/today");

        Assert.Equal(Today.ToString("yyyy-MM-dd"), day.GetProperty("date").GetString());
        Assert.Equal(4, day.GetProperty("booked").GetInt32());
        Assert.Equal(1, day.GetProperty("cancelled").GetInt32());
        var hours = day.GetProperty("byHour").EnumerateArray().ToDictionary(h => h.GetProperty("hour").GetInt32());
        Assert.Equal(3, hours[11].GetProperty("meals").GetInt32());
        Assert.Equal(1, hours[14].GetProperty("cleaning").GetInt32());
        var menu = Assert.Single(day.GetProperty("meals").EnumerateArray());
        Assert.Equal(("午餐", 2, 1, 0), (menu.GetProperty("menu").GetString(), menu.GetProperty("atCentre").GetInt32(),
            menu.GetProperty("delivery").GetInt32(), menu.GetProperty("served").GetInt32()));
        var route = Assert.Single(day.GetProperty("deliveries").EnumerateArray());
        Assert.Equal(s.Community1.Name, route.GetProperty("community").GetString());
        var stop = Assert.Single(route.GetProperty("stops").EnumerateArray());
        Assert.Equal((housebound.Name, housebound.Address, housebound.Phone),
            (stop.GetProperty("elderName").GetString(), stop.GetProperty("address").GetString(), stop.GetProperty("phone").GetString()));
        var visits = day.GetProperty("homeVisits").EnumerateArray().ToList();
        Assert.Equal("未派单", visits[0].GetProperty("name").GetString());
        Assert.Equal(visit, Assert.Single(visits[0].GetProperty("visits").EnumerateArray()).GetProperty("id").GetInt64());

        var assigned = await manager.PostAsJsonAsync($"/api/bookings/{visit}/assign", new { caregiverId = wang.Id });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal("Assigned", (await JsonAsync(assigned)).GetProperty("status").GetString());
        day = await clerk.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/today");
        var byCaregiver = Assert.Single(day.GetProperty("homeVisits").EnumerateArray());
        Assert.Equal(("王护理", visit), (byCaregiver.GetProperty("name").GetString(),
            Assert.Single(byCaregiver.GetProperty("visits").EnumerateArray()).GetProperty("id").GetInt64()));

        // Other stations' staff see nothing of it; officers see every station; elders and families are not staff.
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetAsync($"/api/stations/{s.Station1.Id}/today"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.ElderClientAsync(housebound)).GetAsync($"/api/stations/{s.Station1.Id}/today"), 403, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await (await s.StaffClientAsync(StaffRole.Officer, null)).GetAsync($"/api/stations/{s.Station1.Id}/today")).StatusCode);
        await HttpAssert.ProblemAsync(await clerk.GetAsync($"/api/stations/{s.Station1.Id}/today?date=tomorrow"), 400, "malformed-request");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_meal_code_scanned_ten_times_at_once_hands_out_one_meal(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, date: Today, cutoffAt: EndOfToday, period: MealPeriod.Lunch);
        var elder = await s.AddElderAsync();
        var bookingId = await BookedIdAsync(clerk, elder.Id, lunch.Id, ServiceModes.AtCentre);
        var printed = elder.MealCode![..4] + " " + elder.MealCode[4..8] + " " + elder.MealCode[8..]; // as typed from the card

        var answers = await AllAtOnceAsync(10, _ => CheckInAsync(clerk, printed));

        var served = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var meal = await JsonAsync(served);
        Assert.Equal((elder.Name, "午餐", bookingId), (meal.GetProperty("elderName").GetString(), meal.GetProperty("menu").GetString(), meal.GetProperty("bookingId").GetInt64()));
        foreach (var again in answers.Where(a => a != served))
        {
            var refusal = await HttpAssert.ProblemAsync(again, 409, "meal-already-served");
            Assert.Contains("已在", refusal.GetProperty("detail").GetString());
        }
        var history = await s.WithDbAsync(db => db.BookingEvents.AsNoTracking().Where(h => h.BookingId == bookingId).OrderBy(h => h.Id).ToListAsync());
        Assert.Equal([BookingStatus.Confirmed, BookingStatus.Completed], history.Select(h => h.ToStatus));
        // Lunch is every day: nobody is asked to rate each one.
        Assert.False(await s.WithDbAsync(db => db.Reminders.AnyAsync(r => r.BookingId == bookingId && r.Kind == ReminderKind.ServiceCompleted)));
        var day = await clerk.GetFromJsonAsync<JsonElement>($"/api/stations/{s.Station1.Id}/today");
        Assert.Equal(1, day.GetProperty("arrived").GetInt32());
        Assert.Equal(1, Assert.Single(day.GetProperty("meals").EnumerateArray()).GetProperty("served").GetInt32());
    }

    [Fact]
    public async Task Wrong_codes_other_meals_deliveries_and_wrong_roles_are_each_told_what_is_wrong()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, date: Today, cutoffAt: EndOfToday, period: MealPeriod.Lunch);
        var diner = await s.AddElderAsync();
        var housebound = await s.AddElderAsync();
        var hungry = await s.AddElderAsync();
        await BookedIdAsync(clerk, diner.Id, lunch.Id, ServiceModes.AtCentre);
        await BookedIdAsync(clerk, housebound.Id, lunch.Id, ServiceModes.Delivery);
        var code = diner.MealCode!;
        var typo = code[..^1] + (char)('0' + (code[^1] - '0' + 1) % 10);

        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, typo), 400, "meal-code-invalid");
        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, "12345"), 400, "meal-code-invalid");
        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, null), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, UnusedCode(s)), 404, "meal-code-unknown");
        var dinner = await HttpAssert.ProblemAsync(await CheckInAsync(clerk, code, "Dinner"), 404, "no-meal-booked");
        Assert.Contains("订的是午餐", dinner.GetProperty("detail").GetString());
        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, hungry.MealCode), 404, "no-meal-booked");
        await HttpAssert.ProblemAsync(await CheckInAsync(clerk, housebound.MealCode), 409, "meal-is-delivered");
        // The meal is at station 1's meal point: station 2's counter has nothing to hand out.
        await HttpAssert.ProblemAsync(await CheckInAsync(await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id), code), 404, "no-meal-booked");
        await HttpAssert.ProblemAsync(await CheckInAsync(await s.StaffClientAsync(StaffRole.Officer, null), code), 403, "counter-staff-only");
        await HttpAssert.ProblemAsync(await CheckInAsync(await s.ElderClientAsync(diner), code), 403, "counter-staff-only");

        var statuses = await s.WithDbAsync(db => db.Bookings.AsNoTracking().Where(b => b.SlotId == lunch.Id).Select(b => b.Status).ToListAsync());
        Assert.All(statuses, st => Assert.Equal(BookingStatus.Confirmed, st)); // nothing was handed out by any of them
        Assert.Equal(HttpStatusCode.OK, (await CheckInAsync(await s.StaffClientAsync(StaffRole.Caregiver), code)).StatusCode);
    }

    [Fact]
    public async Task A_meal_card_carries_the_elders_code_as_digits_and_as_a_QR_image_for_those_who_may_see_the_elder()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var daughter = await s.AddFamilyAsync(elder.Id);
        var stranger = await s.AddFamilyAsync();

        var card = await (await s.FamilyClientAsync(daughter)).GetFromJsonAsync<JsonElement>($"/api/elders/{elder.Id}/meal-card");

        Assert.Equal(elder.MealCode, card.GetProperty("mealCode").GetString()!.Replace(" ", ""));
        Assert.Equal(s.Station1.Name, card.GetProperty("station").GetString());
        var png = Convert.FromBase64String(card.GetProperty("qrPng").GetString()!["data:image/png;base64,".Length..]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        await HttpAssert.ProblemAsync(await (await s.FamilyClientAsync(stranger)).GetAsync($"/api/elders/{elder.Id}/meal-card"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetAsync($"/api/elders/{elder.Id}/meal-card"), 403, "out-of-zone");

        var others = await s.WithDbAsync(db => db.Elders.AsNoTracking().Where(e => e.MealCode != null).Select(e => e.MealCode!).ToListAsync());
        Assert.Equal(others.Count, others.Distinct().Count());
        Assert.All(others, c => Assert.Equal(c, MealCode.Normalise(c)));
    }

    /// <summary>A well-formed code that belongs to nobody.</summary>
    private static string UnusedCode(Scenario s)
    {
        while (true)
        {
            var code = MealCode.New();
            if (!s.WithDbAsync(db => db.Elders.AnyAsync(e => e.MealCode == code)).GetAwaiter().GetResult()) return code;
        }
    }
}
