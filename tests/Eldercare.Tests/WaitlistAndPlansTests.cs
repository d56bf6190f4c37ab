using System.Net;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Meals;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class WaitlistAndPlansTestsOnSqlite(SharedApi api) : WaitlistAndPlansTests(api), IClassFixture<SharedApi>;

public sealed class WaitlistAndPlansTestsOnPostgres(SharedPostgresApi api) : WaitlistAndPlansTests(api), IClassFixture<SharedPostgresApi>;

public abstract class WaitlistAndPlansTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task A_freed_place_goes_to_the_most_protected_waiter_first_who_is_told()
    {
        var s = await CreateAsync(_factory);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 1);
        var holder = await s.AddElderAsync();
        var earlyBird = await s.AddElderAsync(age: 65);                               // no protected group, waits first
        var destitute = await s.AddElderAsync(ElderGroups.Destitute, age: 70);        // most protected, waits later
        var hotline = await s.HotlineClientAsync();
        var holding = (await JsonAsync(await BookAsync(hotline, holder.Id, slot.Id))).GetProperty("id").GetInt64();

        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = holder.Id + 1000, slotId = slot.Id }), 404, "elder-not-found");
        var first = await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = earlyBird.Id, slotId = slot.Id });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = earlyBird.Id, slotId = slot.Id }), 409, "already-waiting");
        var second = await JsonAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = destitute.Id, slotId = slot.Id }));
        Assert.Equal(1, second.GetProperty("position").GetInt32()); // jumps the queue
        var earlyId = (await JsonAsync(first)).GetProperty("id").GetInt64();
        Assert.Equal(2, (await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/waitlist/{earlyId}")).GetProperty("position").GetInt32());

        var listed = await hotline.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"/api/availability?serviceId={s.Cleaning.Id}&from={s.Day:yyyy-MM-dd}&to={s.Day:yyyy-MM-dd}");
        var full = listed!.Single(x => x.GetProperty("slotId").GetInt64() == slot.Id);
        Assert.Equal(2, full.GetProperty("waiting").GetInt32());
        Assert.Equal(0, full.GetProperty("remaining").GetInt32());

        await hotline.PostAsJsonAsync($"/api/bookings/{holding}/cancel", new { reason = "不需要了" });

        var promoted = await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/waitlist/{second.GetProperty("id").GetInt64()}");
        Assert.Equal("Promoted", promoted.GetProperty("status").GetString());
        var booking = await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/bookings/{promoted.GetProperty("bookingId").GetInt64()}");
        Assert.Equal(destitute.Id, booking.GetProperty("elderId").GetInt32());
        Assert.Equal("System", booking.GetProperty("bookedBy").GetString());
        Assert.Equal(1, await s.WithDbAsync(db => db.Reminders.CountAsync(n => n.ElderId == destitute.Id && n.Kind == ReminderKind.WaitlistPromoted)));
        Assert.Equal(1, (await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/waitlist/{earlyId}")).GetProperty("position").GetInt32());

        // With a place free, joining the waitlist makes no sense.
        var roomy = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), capacity: 3);
        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = earlyBird.Id, slotId = roomy.Id }), 409, "slot-available");
        Assert.Equal(HttpStatusCode.NoContent, (await hotline.DeleteAsync($"/api/waitlist/{earlyId}")).StatusCode);
    }

    [Fact]
    public async Task A_standing_meal_order_books_each_meal_once_and_pausing_stops_it()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var member = await s.AddFamilyAsync(elder.Id);
        var family = await s.FamilyClientAsync(member);
        await s.WithDbAsync(async db =>
        {
            db.SlotTemplates.Add(new SlotTemplate { CatalogItemId = s.Lunch.Id, ResourceId = s.Kitchen1.Id, Weekday = DayOfWeek.Monday, Start = new(11, 0), End = new(13, 0), MealPeriod = MealPeriod.Lunch, Capacity = 10, CutoffTime = new(9, 30) });
            await db.SaveChangesAsync();
        });
        // Today and tomorrow (Beijing time), with cut-offs still ahead, whatever the time of day the test runs.
        var today = DateOnly.FromDateTime(Eldercare.Api.Infrastructure.Time.BusinessTime.ToBusinessTime(DateTime.UtcNow));
        foreach (var day in new[] { today, today.AddDays(1) })
            await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, date: day, cutoffAt: DateTime.UtcNow.AddHours(1), period: MealPeriod.Lunch);

        var created = await family.PostAsJsonAsync("/api/meal-plans", new { elderId = elder.Id, weekdays = new[] { 1, 2, 3, 4, 5, 6, 7 }, period = "Lunch", menuItemId = s.Lunch.Id, mealPointId = s.Kitchen1.Id, mode = "Delivery" }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var planId = (await JsonAsync(created)).GetProperty("id").GetInt32();
        await HttpAssert.ProblemAsync(await family.PostAsJsonAsync("/api/meal-plans", new { elderId = elder.Id, weekdays = new[] { 8 }, period = "Lunch", menuItemId = s.Lunch.Id, mealPointId = s.Kitchen1.Id, mode = "Delivery" }, Json), 400, "bad-weekday");

        Assert.Equal(HttpStatusCode.OK, (await family.PostAsync($"/api/meal-plans/{planId}/pause", null)).StatusCode);
        Assert.Equal(0, await PlaceOrdersAsync());
        Assert.Equal(HttpStatusCode.OK, (await family.PostAsync($"/api/meal-plans/{planId}/resume", null)).StatusCode);
        Assert.Equal(2, await PlaceOrdersAsync());
        Assert.Equal(0, await PlaceOrdersAsync()); // a second run books nothing twice

        var bookings = await s.WithDbAsync(db => db.Bookings.Where(b => b.ElderId == elder.Id).ToListAsync());
        Assert.Equal(2, bookings.Count);
        Assert.All(bookings, b => Assert.Equal(ServiceModes.Delivery, b.Mode));
        Assert.All(bookings, b => Assert.Equal(ActorKind.System, b.BookedByKind));

        // An elder who goes into hospital gets no meals, and is told once per meal, not once per run.
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Status, ElderStatus.InHospital)));
        await s.WithDbAsync(db => db.Bookings.Where(b => b.ElderId == elder.Id).ExecuteDeleteAsync());
        await s.WithDbAsync(db => db.IdempotencyRecords.ExecuteDeleteAsync());
        Assert.Equal(0, await PlaceOrdersAsync());
        Assert.Equal(0, await PlaceOrdersAsync());
        var told = await s.WithDbAsync(db => db.Reminders.Where(n => n.ElderId == elder.Id && n.Text.Contains("没有订上")).ToListAsync());
        Assert.Equal(2, told.Count);
        Assert.All(told, n => Assert.Contains("住院", n.Text));

    }

    private async Task<int> PlaceOrdersAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MealPlanOrders>().PlaceAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_closure_moves_bookings_to_the_next_open_day_or_cancels_them_and_tells_the_elder()
    {
        var s = await CreateAsync(_factory);
        var closedDay = s.Day;
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2, date: closedDay);
        var nextDay = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 1, date: closedDay.AddDays(1));
        var lucky = await s.AddElderAsync();
        var unlucky = await s.AddElderAsync();
        var hotline = await s.HotlineClientAsync();
        await BookAsync(hotline, lucky.Id, slot.Id);
        await BookAsync(hotline, unlucky.Id, slot.Id);

        var otherManager = await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id);
        var request = new { resourceId = s.Pool1.Id, from = closedDay, to = closedDay, reason = "护理员培训", moveBookings = true };
        await HttpAssert.ProblemAsync(await otherManager.PostAsJsonAsync("/api/closures", request), 403, "forbidden");

        var manager = await s.StaffClientAsync(StaffRole.StationManager, s.Station1.Id);
        var closed = await manager.PostAsJsonAsync("/api/closures", request);
        Assert.Equal(HttpStatusCode.Accepted, closed.StatusCode);
        var accepted = await JsonAsync(closed);
        Assert.Equal(2, accepted.GetProperty("bookingsAffected").GetInt32());
        var progress = await ClosureProgress.WaitUntilSettledAsync(manager, accepted.GetProperty("id").GetInt32());
        Assert.Equal((1, 1, 0), (progress.GetProperty("bookingsMoved").GetInt32(), progress.GetProperty("bookingsCancelled").GetInt32(), progress.GetProperty("remaining").GetInt32()));

        var notes = await s.WithDbAsync(db => db.Reminders.Where(n => n.ElderId == lucky.Id || n.ElderId == unlucky.Id)
            .Where(n => n.Kind == ReminderKind.BookingMoved || n.Kind == ReminderKind.BookingCancelled).ToListAsync());
        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.Contains("护理员培训", n.Text));
        Assert.Equal(SlotStatus.Closed, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Status).SingleAsync()));
        Assert.Equal(1, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == nextDay.Id).Select(x => x.Booked).SingleAsync()));
        await HttpAssert.ProblemAsync(await BookAsync(hotline, (await s.AddElderAsync()).Id, slot.Id), 409, "slot-closed");
    }
}

public sealed class WaitlistSweepTestsOnSqlite(SharedApi api) : WaitlistSweepTests(api), IClassFixture<SharedApi>;

public sealed class WaitlistSweepTestsOnPostgres(SharedPostgresApi api) : WaitlistSweepTests(api), IClassFixture<SharedPostgresApi>;

public abstract class WaitlistSweepTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task The_sweep_offers_places_that_freed_without_a_promotion_and_ends_waits_past_the_cut_off()
    {
        var s = await CreateAsync(_factory);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 1);
        var late = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), capacity: 1);
        var hotline = await s.HotlineClientAsync();
        var holder = await s.AddElderAsync();
        var waiter = await s.AddElderAsync();
        var tooLate = await s.AddElderAsync();
        await BookAsync(hotline, holder.Id, slot.Id);
        await BookAsync(hotline, holder.Id, late.Id);
        var waiting = (await JsonAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = waiter.Id, slotId = slot.Id }))).GetProperty("id").GetInt64();
        var lateWait = (await JsonAsync(await hotline.PostAsJsonAsync("/api/waitlist", new { elderId = tooLate.Id, slotId = late.Id }))).GetProperty("id").GetInt64();

        // The place frees behind the engine's back (say capacity is raised), and the other slot's cut-off passes.
        await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).ExecuteUpdateAsync(x => x.SetProperty(v => v.Capacity, 2)));
        await s.WithDbAsync(db => db.Slots.Where(x => x.Id == late.Id).ExecuteUpdateAsync(x => x.SetProperty(v => v.CutoffAt, DateTime.UtcNow.AddMinutes(-1))));

        await using (var scope = _factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Eldercare.Api.Features.Bookings.WaitlistSweep>().RunAsync(CancellationToken.None);

        Assert.Equal("Promoted", (await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/waitlist/{waiting}")).GetProperty("status").GetString());
        Assert.Equal("Expired", (await hotline.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/waitlist/{lateWait}")).GetProperty("status").GetString());
        Assert.Equal(1, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == waiter.Id && b.Status == BookingStatus.Confirmed)));
        Assert.Equal(1, await s.WithDbAsync(db => db.Reminders.CountAsync(n => n.ElderId == tooLate.Id && n.Text.Contains("候补已结束"))));
    }
}
