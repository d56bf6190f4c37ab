using System.Net;
using System.Net.Http.Json;
using System.Text;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class BookingTestsOnSqlite(SharedApi api) : BookingTests(api), IClassFixture<SharedApi>;

public sealed class BookingTestsOnPostgres(SharedPostgresApi api) : BookingTests(api), IClassFixture<SharedPostgresApi>;

public abstract class BookingTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task A_booking_records_terms_price_channel_and_history_and_a_cancel_frees_its_place()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2);
        var client = await s.ElderClientAsync(elder);

        var created = await BookAsync(client, elder.Id, slot.Id);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var booking = await JsonAsync(created);
        Assert.Equal("Requested", booking.GetProperty("status").GetString()); // ¥80 to pay in the mini-program: held until paid
        Assert.Equal("MiniProgram", booking.GetProperty("channel").GetString());
        Assert.Equal("Elder", booking.GetProperty("bookedBy").GetString());
        Assert.Equal(1, booking.GetProperty("serviceVersion").GetInt32());
        Assert.Equal(8000, booking.GetProperty("price").GetProperty("payableFen").GetInt64());
        Assert.Equal("AtHome", booking.GetProperty("mode").GetString());
        var id = booking.GetProperty("id").GetInt64();
        Assert.Equal($"/api/bookings/{id}", created.Headers.Location!.OriginalString);

        var list = await client.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"/api/bookings?elderId={elder.Id}&status=Requested");
        Assert.Single(list!);

        var cancelled = await client.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "临时有事" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var after = await JsonAsync(cancelled);
        Assert.Equal("Cancelled", after.GetProperty("status").GetString());
        var history = after.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["Requested", "Cancelled"], history.Select(h => h.GetProperty("to").GetString()));
        Assert.Equal("临时有事", history[1].GetProperty("note").GetString());
        Assert.Equal(0, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));

        var again = await client.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "再取消一次" });
        await HttpAssert.ProblemAsync(again, 409, "not-cancellable");
    }

    [Fact]
    public async Task A_basic_service_elder_gets_the_meal_subsidy_once_a_day_and_it_is_returned_on_cancel()
    {
        var s = await CreateAsync(_factory);
        await s.AddRuleAsync(new SubsidyRule { Name = "助餐补贴", Line = ServiceLine.Meals, EligibleGroups = ElderGroups.Aged80Plus, Kind = SubsidyKind.FixedAmount, Amount = 500, DailyCapFen = 500, Priority = 1 });
        var old = await s.AddElderAsync(ElderGroups.Aged80Plus, age: 85);
        var young = await s.AddElderAsync(age: 65);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var client = await s.HotlineClientAsync();

        var catalog = await client.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"/api/catalog?elderId={old.Id}", Json);
        var lunchQuote = catalog!.Single(i => i.GetProperty("id").GetInt32() == s.Lunch.Id).GetProperty("price");
        Assert.Equal(1000, lunchQuote.GetProperty("payableFen").GetInt64());

        var subsidised = await JsonAsync(await BookAsync(client, old.Id, lunch.Id));
        Assert.Equal(500, subsidised.GetProperty("price").GetProperty("subsidyFen").GetInt64());
        Assert.Equal(1000, subsidised.GetProperty("price").GetProperty("payableFen").GetInt64());
        Assert.Equal("Ivr", subsidised.GetProperty("bookedBy").GetString());
        Assert.Equal("Hotline", subsidised.GetProperty("channel").GetString());
        var full = await JsonAsync(await BookAsync(client, young.Id, lunch.Id));
        Assert.Equal(0, full.GetProperty("price").GetProperty("subsidyFen").GetInt64());

        var id = subsidised.GetProperty("id").GetInt64();
        await client.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "住院了" });
        var ledger = await s.WithDbAsync(db => db.SubsidyLedger.Where(l => l.BookingId == id).Select(l => l.AmountFen).ToListAsync());
        Assert.Equal([500, -500], ledger.Order().Reverse());
        // The day's subsidy is free again: a new lunch that day is subsidised.
        var rebooked = await JsonAsync(await BookAsync(client, old.Id, lunch.Id));
        Assert.Equal(500, rebooked.GetProperty("price").GetProperty("subsidyFen").GetInt64());

        var month = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/subsidy-ledger?elderId={old.Id}&month={s.Day:yyyy-MM}");
        Assert.Equal(500, month.GetProperty("totalFen").GetInt64());
        Assert.Equal(500, month.GetProperty("byLine").GetProperty("Meals").GetInt64());
        Assert.Equal(3, month.GetProperty("lines").GetArrayLength());
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/subsidy-ledger?elderId={old.Id}&month=2026-13"), 400, "validation-failed");
    }

    [Fact]
    public async Task A_retry_with_the_same_key_returns_the_same_booking_and_a_different_body_is_refused()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var other = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0));
        var client = await s.ElderClientAsync(elder);

        var first = await BookAsync(client, elder.Id, slot.Id, key: "call-77-step-3");
        var retry = await BookAsync(client, elder.Id, slot.Id, key: "call-77-step-3");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetInt64(), (await JsonAsync(retry)).GetProperty("id").GetInt64());

        await HttpAssert.ProblemAsync(await BookAsync(client, elder.Id, other.Id, key: "call-77-step-3"), 422, "idempotency-key-reused");
        Assert.Equal(1, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == elder.Id)));

        var noKey = await client.PostAsJsonAsync("/api/bookings", new { elderId = elder.Id, slotId = other.Id });
        await HttpAssert.ProblemAsync(noKey, 400, "idempotency-key-required");
    }

    [Fact]
    public async Task Bad_requests_get_clear_problems_and_write_nothing()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var client = await s.ElderClientAsync(elder);

        var malformed = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = new StringContent("{\"elderId\": 1, \"slotId\": ", Encoding.UTF8, "application/json") };
        malformed.Headers.Add("Idempotency-Key", "k1");
        await HttpAssert.ProblemAsync(await client.SendAsync(malformed), 400, "malformed-request");

        var outOfRange = await BookAsync(client, elder.Id, 0);
        var body = await HttpAssert.ProblemAsync(outOfRange, 400, "validation-failed");
        Assert.True(body.GetProperty("errors").EnumerateObject().Any());

        var badMode = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = new StringContent($"{{\"elderId\": {elder.Id}, \"slotId\": 1, \"mode\": \"Teleport\"}}", Encoding.UTF8, "application/json") };
        badMode.Headers.Add("Idempotency-Key", "k2");
        await HttpAssert.ProblemAsync(await client.SendAsync(badMode), 400, "malformed-request");

        await HttpAssert.ProblemAsync(await BookAsync(client, elder.Id, 999_999), 404, "slot-not-found");
        Assert.Equal(0, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == elder.Id)));
    }

    [Fact]
    public async Task The_rules_refuse_with_stable_codes()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var inHospital = await s.AddElderAsync(status: ElderStatus.InHospital);
        var farAway = await s.AddElderAsync(station: 2);
        var hotline = await s.HotlineClientAsync();
        var morning = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var overlapping = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(10, 0), new(12, 0));
        var tiny = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), capacity: 1);
        var bath = await s.AddSlotAsync(s.Bath, s.Pool1, new(15, 0), new(16, 30));
        var past = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(17, 0), new(18, 0), cutoffAt: DateTime.UtcNow.AddMinutes(-1));
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), period: MealPeriod.Lunch);

        Assert.Equal(HttpStatusCode.Created, (await BookAsync(hotline, elder.Id, morning.Id)).StatusCode);
        var busy = await HttpAssert.ProblemAsync(await BookAsync(hotline, elder.Id, overlapping.Id), 409, "elder-busy");
        Assert.Contains("保洁", busy.GetProperty("detail").GetString());
        // A meal does not clash with a visit, but a second lunch the same day does.
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(hotline, elder.Id, lunch.Id)).StatusCode);
        var lunch2 = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 30), new(13, 0), period: MealPeriod.Lunch);
        await HttpAssert.ProblemAsync(await BookAsync(hotline, elder.Id, lunch2.Id), 409, "elder-busy");

        Assert.Equal(HttpStatusCode.Created, (await BookAsync(hotline, elder.Id, tiny.Id)).StatusCode);
        var full = await HttpAssert.ProblemAsync(await BookAsync(hotline, (await s.AddElderAsync()).Id, tiny.Id), 409, "slot-full");
        Assert.Equal(tiny.Id, full.GetProperty("waitlist").GetProperty("slotId").GetInt64());

        var notEligible = await HttpAssert.ProblemAsync(await BookAsync(hotline, elder.Id, bath.Id), 422, "not-eligible");
        Assert.False(string.IsNullOrEmpty(notEligible.GetProperty("detail").GetString()));
        await HttpAssert.ProblemAsync(await BookAsync(hotline, inHospital.Id, morning.Id), 422, "elder-inactive");
        await HttpAssert.ProblemAsync(await BookAsync(hotline, elder.Id, past.Id), 422, "cut-off-passed");
        await HttpAssert.ProblemAsync(await BookAsync(hotline, farAway.Id, morning.Id), 422, "outside-zone");
        await HttpAssert.ProblemAsync(await BookAsync(hotline, (await s.AddElderAsync()).Id, lunch.Id, mode: ServiceModes.PickUp), 422, "mode-not-offered");
    }
}

public sealed class BookingLifeTestsOnSqlite(SharedApi api) : BookingLifeTests(api), IClassFixture<SharedApi>;

public sealed class BookingLifeTestsOnPostgres(SharedPostgresApi api) : BookingLifeTests(api), IClassFixture<SharedPostgresApi>;

public abstract class BookingLifeTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task The_elder_or_bound_family_rate_a_completed_service_once()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);
        var daughter = await s.FamilyClientAsync(await s.AddFamilyAsync(elder.Id));
        var stranger = await s.FamilyClientAsync(await s.AddFamilyAsync());
        var id = (await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id))).GetProperty("id").GetInt64();
        Task<HttpResponseMessage> Rate(HttpClient c, object body) => c.PostAsJsonAsync($"/api/bookings/{id}/rating", body);

        await HttpAssert.ProblemAsync(await Rate(daughter, new { score = 5 }), 409, "not-yet-completed");
        foreach (var step in new[] { "InService", "Completed" })
            await clerk.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to = step }, Json);
        await HttpAssert.ProblemAsync(await Rate(clerk, new { score = 5 }), 403, "elders-and-family-rate");
        await HttpAssert.ProblemAsync(await Rate(stranger, new { score = 5 }), 403, "not-bound");
        await HttpAssert.ProblemAsync(await Rate(daughter, new { score = 6 }), 400, "validation-failed");

        var rated = await Rate(daughter, new { score = 4, comment = " 阿姨很细心 " });
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        var booking = await JsonAsync(rated);
        Assert.Equal(("Rated", 4, "阿姨很细心"), (booking.GetProperty("status").GetString(), booking.GetProperty("ratingScore").GetInt32(), booking.GetProperty("ratingComment").GetString()));
        Assert.Equal("FamilyMember", booking.GetProperty("history").EnumerateArray().Last().GetProperty("actor").GetString());
        await HttpAssert.ProblemAsync(await Rate(await s.ElderClientAsync(elder), new { score = 1 }), 409, "already-rated");
    }

    [Fact]
    public async Task Staff_move_a_booking_through_its_life_and_every_step_is_in_the_history()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var self = await s.ElderClientAsync(elder);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);
        var id = (await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id))).GetProperty("id").GetInt64(); // at the window: confirmed at once

        await HttpAssert.ProblemAsync(await self.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to = "Completed" }, Json), 403, "staff-only");
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to = "Completed" }, Json), 409, "invalid-transition");
        foreach (var step in new[] { "Assigned", "InService", "Completed" })
            Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to = step, note = "护理员王芳" }, Json)).StatusCode);
        await HttpAssert.ProblemAsync(await self.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "晚了" }), 409, "not-cancellable");

        var booking = await self.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/bookings/{id}");
        Assert.Equal(["Confirmed", "Assigned", "InService", "Completed"], booking.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()));
        Assert.All(booking.GetProperty("history").EnumerateArray().Skip(1), h => Assert.Equal("Staff", h.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task A_no_show_gives_back_the_subsidy_and_a_rejection_also_frees_the_place()
    {
        var s = await CreateAsync(_factory);
        await s.AddRuleAsync(new SubsidyRule { Name = "助洁补贴", Line = ServiceLine.Cleaning, EligibleGroups = ElderGroups.LowIncome, Kind = SubsidyKind.FixedAmount, Amount = 2000, Priority = 1 });
        var elder = await s.AddElderAsync(ElderGroups.LowIncome);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 1);
        var later = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(14, 0), new(16, 0), capacity: 1);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk, s.Station1.Id);
        var missed = (await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id))).GetProperty("id").GetInt64();
        var refused = (await JsonAsync(await BookAsync(clerk, elder.Id, later.Id))).GetProperty("id").GetInt64();

        // Nobody is a no-show before the service was due, and only the providing station records progress.
        var noShow = new { to = "NoShow", note = "敲门无人应答" };
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json), 409, "no-show-too-early");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.HotlineAgent)).PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json), 403, "station-staff-only");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json), 403, "station-staff-only");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Officer)).PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json), 403, "read-only-role");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Caregiver)).PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json), 403, "read-only-role");
        // The day comes and goes without the elder.
        await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == missed).ExecuteUpdateAsync(x => x.SetProperty(b => b.Date, b => b.Date.AddDays(-3))));
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/bookings/{missed}/transitions", noShow, Json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/bookings/{refused}/transitions", new { to = "Rejected", note = "老人能力等级不适合" }, Json)).StatusCode);

        Assert.Equal(0, await s.WithDbAsync(db => db.SubsidyLedger.Where(l => l.ElderId == elder.Id).SumAsync(l => l.AmountFen)));
        Assert.Equal(1, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));  // the missed visit kept its place
        Assert.Equal(0, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == later.Id).Select(x => x.Booked).SingleAsync())); // the rejected one freed it
    }
}
