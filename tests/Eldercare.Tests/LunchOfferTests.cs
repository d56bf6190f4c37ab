using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// The lunch the mini-program's home page offers in one tap (the usual meal point and way, delivery for a housebound
/// elder, the own zone's meal point otherwise), and a mini-program booking paid at the window when WeChat Pay is not set up.
/// </summary>
public sealed class LunchOfferTests
{
    private static readonly GeoPoint Home = new(39.9002, 116.4002);

    /// <summary>A street whose own-zone meal point (station 1) is about 1.4 km from home and another station's is next door; lunch at both for two days.</summary>
    private static async Task<(Scenario S, ServiceResource NextDoor)> StreetAsync(ApiFactory api)
    {
        var s = await CreateAsync(api);
        var nextDoor = await s.WithDbAsync(async db =>
        {
            await db.Venues.Where(v => v.Id == s.Kitchen1.VenueId).ExecuteUpdateAsync(x => x.SetProperty(v => v.Location, new GeoPoint(39.91, 116.41)));
            var venue = new Venue { StationId = s.Station2.Id, Kind = VenueKind.MealPoint, Name = "二站餐桌", Address = "二号", Location = new GeoPoint(39.9003, 116.4003) };
            db.Venues.Add(venue);
            await db.SaveChangesAsync();
            var kitchen = new ServiceResource { StationId = s.Station2.Id, VenueId = venue.Id, Kind = ResourceKind.MealPoint, Name = "二站餐桌" };
            db.ServiceResources.Add(kitchen);
            await db.SaveChangesAsync();
            return kitchen;
        });
        foreach (var kitchen in new[] { s.Kitchen1, nextDoor })
            foreach (var day in new[] { s.Day, s.Day.AddDays(1) })
                await s.AddSlotAsync(s.Lunch, kitchen, new(11, 0), new(13, 0), capacity: 5, date: day, period: MealPeriod.Lunch);
        await s.AddRuleAsync(new SubsidyRule { Name = "助餐补贴", Line = ServiceLine.Meals, Kind = SubsidyKind.FixedAmount, Amount = 500, DailyCapFen = 500, Priority = 1 });
        return (s, nextDoor);
    }

    private static async Task<Elder> ElderAtHomeAsync(Scenario s, int ability = 0)
    {
        var elder = await s.AddElderAsync(ability: ability);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Home, Home)));
        return elder;
    }

    private static async Task<JsonElement> OfferAsync(HttpClient client, int elderId)
    {
        var answer = await client.GetAsync($"/api/meals/lunch-offer?elderId={elderId}");
        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        return await JsonAsync(answer);
    }

    [Fact]
    public async Task A_new_elder_is_offered_their_own_zones_meal_point_at_the_counter_and_a_housebound_one_a_delivered_lunch_with_the_price_after_subsidy()
    {
        using var api = new ApiFactory();
        var (s, _) = await StreetAsync(api);
        var walking = await ElderAtHomeAsync(s);
        var housebound = await ElderAtHomeAsync(s, ability: 2);

        var offer = await OfferAsync(await s.ElderClientAsync(walking), walking.Id);
        var point = offer.GetProperty("mealPoint");
        Assert.Equal((s.Kitchen1.Id, true, "AtCentre", "own-zone"), (point.GetProperty("resourceId").GetInt32(), point.GetProperty("ownStation").GetBoolean(),
            offer.GetProperty("mode").GetString(), offer.GetProperty("why").GetString()));
        Assert.InRange(point.GetProperty("distanceMetres").GetInt32(), 1000, 2000);
        Assert.Equal((s.Day, 1000L), (DateOnly.Parse(offer.GetProperty("date").GetString()!), offer.GetProperty("price").GetProperty("payableFen").GetInt64()));
        Assert.Equal("Window", offer.GetProperty("payment").GetString()); // WeChat Pay is not set up here

        var delivered = await OfferAsync(await s.FamilyClientAsync(await s.AddFamilyAsync(housebound.Id)), housebound.Id);
        Assert.Equal((s.Kitchen1.Id, "Delivery", "housebound"), (delivered.GetProperty("mealPoint").GetProperty("resourceId").GetInt32(),
            delivered.GetProperty("mode").GetString(), delivered.GetProperty("why").GetString()));

        // Nobody else's elder: refused, as every read of an elder is.
        var stranger = await s.FamilyClientAsync(await s.AddFamilyAsync());
        Assert.NotEqual(HttpStatusCode.OK, (await stranger.GetAsync($"/api/meals/lunch-offer?elderId={walking.Id}")).StatusCode);
    }

    [Fact]
    public async Task After_a_lunch_the_offer_is_the_same_meal_point_and_way_on_the_next_day_still_free()
    {
        using var api = new ApiFactory();
        var (s, nextDoor) = await StreetAsync(api);
        var elder = await ElderAtHomeAsync(s);
        var client = await s.ElderClientAsync(elder);
        var slot = await s.WithDbAsync(db => db.Slots.SingleAsync(x => x.ResourceId == nextDoor.Id && x.Date == s.Day));
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(client, elder.Id, slot.Id, mode: ServiceModes.AtCentre)).StatusCode);

        var offer = await OfferAsync(client, elder.Id);

        Assert.Equal((nextDoor.Id, false, "AtCentre", "usual"), (offer.GetProperty("mealPoint").GetProperty("resourceId").GetInt32(),
            offer.GetProperty("mealPoint").GetProperty("ownStation").GetBoolean(), offer.GetProperty("mode").GetString(), offer.GetProperty("why").GetString()));
        Assert.Equal(s.Day.AddDays(1), DateOnly.Parse(offer.GetProperty("date").GetString()!));
    }

    [Fact]
    public async Task Without_WeChat_Pay_a_mini_program_lunch_waits_for_the_window_until_the_order_cut_off_and_is_confirmed_when_the_clerk_takes_the_money()
    {
        using var api = new ApiFactory();
        var (s, _) = await StreetAsync(api);
        var elder = await ElderAtHomeAsync(s);
        var client = await s.ElderClientAsync(elder);
        var offer = await OfferAsync(client, elder.Id);
        var slot = await s.WithDbAsync(db => db.Slots.AsNoTracking().SingleAsync(x => x.Id == offer.GetProperty("slotId").GetInt64()));

        var booking = await JsonAsync(await BookAsync(client, elder.Id, slot.Id, mode: ServiceModes.AtCentre));
        var id = booking.GetProperty("id").GetInt64();
        Assert.Equal(("Requested", true), (booking.GetProperty("status").GetString(), booking.GetProperty("payAtWindow").GetBoolean()));
        Assert.Equal(slot.CutoffAt, booking.GetProperty("payBy").GetDateTime(), TimeSpan.FromSeconds(1));

        // Twenty minutes on, past WeChat's payment window: the place is still held for the window.
        await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(x => x.SetProperty(b => b.CreatedAt, b => b.CreatedAt.AddMinutes(-20))));
        await ReleaseAsync(api);
        Assert.Equal(BookingStatus.Requested, await StatusAsync(s, id));

        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        Assert.Equal(HttpStatusCode.Created, (await clerk.PostAsJsonAsync($"/api/bookings/{id}/payments", new { method = "Cash", amountFen = 1000 }, Json)).StatusCode);
        var paid = await JsonAsync(await client.GetAsync($"/api/bookings/{id}"));
        Assert.Equal(("Confirmed", 1000L), (paid.GetProperty("status").GetString(), paid.GetProperty("price").GetProperty("paidFen").GetInt64()));
        Assert.Equal(JsonValueKind.Null, paid.GetProperty("payBy").ValueKind);
        Assert.Equal("一站餐桌", paid.GetProperty("place").GetString()); // the order page says where, and how far from home
        Assert.InRange(paid.GetProperty("placeDistanceMetres").GetInt32(), 1000, 2000);
        Assert.Contains(paid.GetProperty("history").EnumerateArray(), h => h.GetProperty("note").GetString() == "窗口收款" && h.GetProperty("to").GetString() == "Confirmed");
    }

    [Fact]
    public async Task A_lunch_not_paid_at_the_window_by_the_cut_off_gives_its_place_back_and_the_elder_is_told_until_when_it_was_held()
    {
        using var api = new ApiFactory();
        var (s, _) = await StreetAsync(api);
        var elder = await ElderAtHomeAsync(s);
        var slot = await s.WithDbAsync(db => db.Slots.AsNoTracking().FirstAsync(x => x.ResourceId == s.Kitchen1.Id && x.Date == s.Day));
        var id = (await JsonAsync(await BookAsync(await s.ElderClientAsync(elder), elder.Id, slot.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();
        var heldUntil = DateTime.UtcNow.AddMinutes(-1);
        await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(x => x.SetProperty(b => b.PayBy, heldUntil)));

        await ReleaseAsync(api);

        Assert.Equal(BookingStatus.Cancelled, await StatusAsync(s, id));
        var told = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == id && r.Kind == ReminderKind.UnpaidBookingReleased));
        Assert.Contains($"没有在{BusinessTime.ToBusinessTime(heldUntil):M月d日 HH:mm}前付款", told.Text);
        Assert.Equal(0, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
    }

    [Fact]
    public async Task Where_the_station_takes_no_window_payment_and_WeChat_Pay_is_not_set_up_the_booking_is_refused_and_nothing_is_held()
    {
        using var api = new ApiFactory(settings: new Dictionary<string, string?> { ["Bookings:WindowPayment"] = "Off" });
        var (s, _) = await StreetAsync(api);
        var elder = await ElderAtHomeAsync(s);
        var slot = await s.WithDbAsync(db => db.Slots.AsNoTracking().FirstAsync(x => x.ResourceId == s.Kitchen1.Id && x.Date == s.Day));

        await HttpAssert.ProblemAsync(await BookAsync(await s.ElderClientAsync(elder), elder.Id, slot.Id, mode: ServiceModes.AtCentre), 422, "no-way-to-pay");

        Assert.Equal(0, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == elder.Id)));
        Assert.Equal(0, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
        // The window itself still books it (and takes the money there).
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(await s.StaffClientAsync(StaffRole.Clerk), elder.Id, slot.Id, mode: ServiceModes.AtCentre)).StatusCode);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clerk_taking_the_money_as_the_unpaid_booking_is_released_either_confirms_it_or_takes_nothing(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var api = new ApiFactory(database);
        var (s, _) = await StreetAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        for (var round = 0; round < 8; round++)
        {
            var elder = await ElderAtHomeAsync(s);
            var slot = await s.WithDbAsync(db => db.Slots.AsNoTracking().FirstAsync(x => x.ResourceId == s.Kitchen1.Id && x.Date == s.Day));
            var id = (await JsonAsync(await BookAsync(await s.ElderClientAsync(elder), elder.Id, slot.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();
            await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(x => x.SetProperty(b => b.PayBy, DateTime.UtcNow.AddMinutes(-1))));

            using var start = new SemaphoreSlim(0);
            var pay = Task.Run(async () => { await start.WaitAsync(); return await clerk.PostAsJsonAsync($"/api/bookings/{id}/payments", new { method = "Cash", amountFen = 1000 }, Json); });
            var release = Task.Run(async () => { await start.WaitAsync(); await ReleaseAsync(api); });
            start.Release(2);
            var paid = await pay;
            await release;

            var booking = await s.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.Id == id));
            var money = await s.WithDbAsync(db => db.Payments.Where(p => p.BookingId == id).SumAsync(p => p.AmountFen));
            if (paid.StatusCode == HttpStatusCode.Created)
                // Paid first: confirmed and kept; or paid and then released: the money is owed back, never kept for nothing.
                Assert.True((booking.Status, money) is (BookingStatus.Confirmed, 1000) or (BookingStatus.Cancelled, 0), $"{booking.Status}, {money}");
            else
                Assert.Equal((BookingStatus.Cancelled, 0L), (booking.Status, money)); // released first: nothing taken
            // The place is held exactly as long as a booking holds it.
            Assert.Equal(await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.SlotId == slot.Id && b.Status != BookingStatus.Cancelled)),
                await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
        }
    }

    private static async Task ReleaseAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UnpaidBookings>().ReleaseExpiredAsync(default);
    }

    private static Task<BookingStatus> StatusAsync(Scenario s, long id) =>
        s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).Select(b => b.Status).SingleAsync());
}
