using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class MoneyIntegrityTestsOnSqlite(WeChatPayApi api) : MoneyIntegrityTests(api), IClassFixture<WeChatPayApi>;

public sealed class MoneyIntegrityTestsOnPostgres(PostgresWeChatPayApi api) : MoneyIntegrityTests(api), IClassFixture<PostgresWeChatPayApi>;

/// <summary>What happens to the money when the hub changes bookings itself (closures), when a node dies between two steps, and what reconciliation reports.</summary>
public abstract class MoneyIntegrityTests(WeChatPayApi api)
{
    [Fact]
    public async Task A_closure_moves_a_paid_booking_still_paid_and_cancels_another_with_the_cash_owed_at_the_station_and_says_so()
    {
        var s = await CreateAsync(api);
        await s.AddRuleAsync(new SubsidyRule { Name = "助洁补贴", Line = ServiceLine.Cleaning, EligibleGroups = ElderGroups.LowIncome, Kind = SubsidyKind.FixedAmount,
            Amount = 3000, DailyCapFen = 3000, Priority = 1 });
        var closedDay = s.Day.AddDays(1);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2, date: closedDay);
        var nextDay = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 1, date: closedDay.AddDays(1));
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var movedElder = await s.AddElderAsync(ElderGroups.LowIncome);
        var cancelledElder = await s.AddElderAsync(ElderGroups.LowIncome);
        var moved = (await JsonAsync(await BookAsync(clerk, movedElder.Id, slot.Id))).GetProperty("id").GetInt64();
        var cancelled = (await JsonAsync(await BookAsync(clerk, cancelledElder.Id, slot.Id))).GetProperty("id").GetInt64();
        foreach (var id in new[] { moved, cancelled })
            Assert.Equal(HttpStatusCode.Created, (await clerk.PostAsJsonAsync($"/api/bookings/{id}/payments", new { method = "Cash", amountFen = 5000 }, Json)).StatusCode);

        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var closure = await JsonAsync(await manager.PostAsJsonAsync("/api/closures", new { resourceId = s.Pool1.Id, from = closedDay, to = closedDay, reason = "停水", moveBookings = true }, Json));
        await ClosureProgress.WaitUntilSettledAsync(manager, closure.GetProperty("id").GetInt32());

        // The first in line moves to the next day with its price, subsidy and payment: nothing to pay again.
        var after = await clerk.GetFromJsonAsync<JsonElement>($"/api/bookings/{moved}");
        Assert.Equal((closedDay.AddDays(1).ToString("yyyy-MM-dd"), "Confirmed"), (after.GetProperty("date").GetString(), after.GetProperty("status").GetString()));
        var price = after.GetProperty("price");
        Assert.Equal((8000L, 3000L, 5000L, 5000L), (price.GetProperty("listFen").GetInt64(), price.GetProperty("subsidyFen").GetInt64(), price.GetProperty("payableFen").GetInt64(), price.GetProperty("paidFen").GetInt64()));
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync($"/api/bookings/{moved}/payments", new { method = "Cash", amountFen = 5000 }, Json), 409, "already-paid");
        // The subsidy follows the service's new date, within that day's cap.
        var ledger = await s.WithDbAsync(db => db.SubsidyLedger.Where(l => l.BookingId == moved).GroupBy(l => l.ServiceDate).Select(g => new { g.Key, Sum = g.Sum(l => l.AmountFen) }).ToListAsync());
        Assert.Equal([(closedDay, 0L), (closedDay.AddDays(1), 3000L)], ledger.OrderBy(l => l.Key).Select(l => (l.Key, l.Sum)));
        Assert.Equal(1, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == nextDay.Id).Select(x => x.Booked).SingleAsync()));
        var movedNotice = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == moved && r.Kind == ReminderKind.BookingMoved));
        Assert.Contains("其他不变", movedNotice.Text);
        Assert.DoesNotContain("付", movedNotice.Text);

        // The next day had one place: the second is cancelled, its cash owed back at the window, and the elder told where.
        var cancelNotice = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == cancelled && r.Kind == ReminderKind.BookingCancelled));
        Assert.Contains("停水", cancelNotice.Text);
        Assert.Contains("已付的50元请到驿站窗口领取", cancelNotice.Text);
        var owed = await clerk.GetFromJsonAsync<List<JsonElement>>($"/api/stations/{s.Station1.Id}/refunds");
        var refund = Assert.Single(owed!, o => o.GetProperty("bookingId").GetInt64() == cancelled);
        Assert.Equal((5000L, "Cash", cancelledElder.Name), (refund.GetProperty("amountFen").GetInt64(), refund.GetProperty("method").GetString(), refund.GetProperty("elderName").GetString()));
        // Only the station that holds the money hands it back; then it is settled, with a slip, once.
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).PostAsync($"/api/refunds/{refund.GetProperty("id").GetInt64()}/hand-over", null), 403, "window-only");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Caregiver)).GetAsync($"/api/stations/{s.Station1.Id}/refunds"), 403, "forbidden");
        var slip = await JsonAsync(await clerk.PostAsync($"/api/refunds/{refund.GetProperty("id").GetInt64()}/hand-over", null));
        Assert.Equal(("Refund", -5000L, "Clerk老师"), (slip.GetProperty("kind").GetString(), slip.GetProperty("amountFen").GetInt64(), slip.GetProperty("receivedBy").GetString()));
        var settled = await clerk.GetFromJsonAsync<List<JsonElement>>($"/api/stations/{s.Station1.Id}/refunds?state=Settled");
        Assert.Equal("Clerk老师", Assert.Single(settled!, o => o.GetProperty("bookingId").GetInt64() == cancelled).GetProperty("settledBy").GetString());
    }

    [Fact]
    public async Task A_closure_cut_short_by_a_crash_is_finished_by_the_next_run_and_nothing_is_settled_twice()
    {
        var s = await CreateAsync(api);
        var closedDay = s.Day.AddDays(2);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool2, new(14, 0), new(16, 0), capacity: 6, date: closedDay);
        var hotline = await s.HotlineClientAsync();
        var booked = new List<long>();
        for (var i = 0; i < 6; i++) booked.Add((await JsonAsync(await BookAsync(hotline, (await s.AddElderAsync(station: 2)).Id, slot.Id))).GetProperty("id").GetInt64());

        // The node died right after recording the closure and settling two of its bookings: the slots are closed, the rest still hold places.
        var closure = new Closure { ResourceId = s.Pool2.Id, From = closedDay, To = closedDay, Reason = "装修", MoveBookings = false, CreatedAt = DateTime.UtcNow, BookingsAffected = 6 };
        await s.WithDbAsync(async db =>
        {
            db.Closures.Add(closure);
            await db.SaveChangesAsync();
            await db.Slots.Where(x => x.Id == slot.Id).ExecuteUpdateAsync(x => x.SetProperty(v => v.Status, SlotStatus.Closed));
        });
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var engine = scope.ServiceProvider.GetRequiredService<BookingEngine>();
            foreach (var id in booked.Take(2)) Assert.Equal(ClosureOutcome.Cancelled, await engine.SettleClosedBookingAsync(closure, id, default));
            Assert.Null(await engine.SettleClosedBookingAsync(closure, booked[0], default)); // settling one again changes nothing
        }
        var manager = await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id);
        var halfway = await manager.GetFromJsonAsync<JsonElement>($"/api/closures/{closure.Id}");
        Assert.Equal((2, 4, false), (halfway.GetProperty("bookingsCancelled").GetInt32(), halfway.GetProperty("remaining").GetInt32(), halfway.GetProperty("settled").GetBoolean()));

        // After the restart the job (every minute; run here at once) carries on where it stopped, and a second run finds nothing to do.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            // (The scheduled job may run at the same moment: whichever settles a booking, it is settled once.)
            var settlement = scope.ServiceProvider.GetRequiredService<ClosureSettlement>();
            await settlement.RunAsync(default);
            await settlement.RunAsync(default);
        }
        var done = await manager.GetFromJsonAsync<JsonElement>($"/api/closures/{closure.Id}");
        Assert.Equal((6, 0, true), (done.GetProperty("bookingsCancelled").GetInt32(), done.GetProperty("remaining").GetInt32(), done.GetProperty("settled").GetBoolean()));
        Assert.Equal(6, await s.WithDbAsync(db => db.BookingEvents.CountAsync(e => booked.Contains(e.BookingId) && e.ToStatus == BookingStatus.Cancelled)));
        Assert.Equal(6, await s.WithDbAsync(db => db.Reminders.CountAsync(r => booked.Contains(r.BookingId!.Value) && r.Kind == ReminderKind.BookingCancelled)));
        Assert.Equal(0, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
    }

    [Fact]
    public async Task A_payment_recorded_before_a_crash_left_its_booking_waiting_is_confirmed_by_the_next_run_without_asking_wechat_again()
    {
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 5, period: MealPeriod.Lunch);
        var id = (await JsonAsync(await BookAsync(await s.ElderClientAsync(elder), elder.Id, lunch.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();
        // What the old two-step application left after a crash between its steps: the payment there, the booking still Requested, long ago.
        await s.WithDbAsync(async db =>
        {
            db.Payments.Add(new Payment { BookingId = id, ElderId = elder.Id, Kind = PaymentKind.Payment, Method = PaymentMethod.WeChatPay, AmountFen = 1500, At = DateTime.UtcNow.AddMinutes(-20) });
            await db.SaveChangesAsync();
            await db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(x => x.SetProperty(b => b.CreatedAt, DateTime.UtcNow.AddMinutes(-20)));
        });
        await using (var scope = api.Services.CreateAsyncScope())
            Assert.Contains(await scope.ServiceProvider.GetRequiredService<Reconciliation>().CheckAsync(default), f => f.Kind == "paid-but-waiting" && f.BookingId == id);
        var queriesBefore = api.WeChat.Pay.Queries;

        await using (var scope = api.Services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<UnpaidBookings>().ReleaseExpiredAsync(default));

        var booking = await s.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal((BookingStatus.Confirmed, 1500L), (booking.Status, booking.PaidFen));
        Assert.Equal(queriesBefore, api.WeChat.Pay.Queries);
        Assert.StartsWith("已付款15元", (await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == id && r.Kind == ReminderKind.BookingConfirmed))).Text);
        await using (var scope = api.Services.CreateAsyncScope())
            Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<Reconciliation>().CheckAsync(default), f => f.BookingId == id);
    }

    [Fact]
    public async Task Reconciliation_reports_books_that_do_not_balance_to_the_station_once_and_the_manager_closes_them()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 5, period: MealPeriod.Lunch);
        var elder = await s.AddElderAsync();
        var id = (await JsonAsync(await BookAsync(clerk, elder.Id, lunch.Id))).GetProperty("id").GetInt64();
        var other = (await JsonAsync(await BookAsync(clerk, (await s.AddElderAsync()).Id, lunch.Id))).GetProperty("id").GetInt64();
        foreach (var paid in new[] { id, other })
            await clerk.PostAsJsonAsync($"/api/bookings/{paid}/payments", new { method = "Cash", amountFen = 1500 }, Json);
        // Someone changes the rows behind the engine's back: a booking cancelled with the money kept, another's payment
        // half forgotten, and the slot miscounted.
        await s.WithDbAsync(async db =>
        {
            await db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(x => x.SetProperty(b => b.Status, BookingStatus.Cancelled));
            await db.Bookings.Where(b => b.Id == other).ExecuteUpdateAsync(x => x.SetProperty(b => b.PaidFen, 500));
            await db.Slots.Where(x => x.Id == lunch.Id).ExecuteUpdateAsync(x => x.SetProperty(v => v.Booked, 3));
        });

        var officer = await s.StaffClientAsync(StaffRole.Officer);
        await HttpAssert.ProblemAsync(await clerk.PostAsync("/api/reconciliation/run", null), 403, "forbidden");
        var found = await officer.PostAsync("/api/reconciliation/run", null).ContinueWith(t => JsonAsync(t.Result)).Unwrap();
        var kinds = found.EnumerateArray().Where(f => f.GetProperty("stationId").GetInt32() == s.Station1.Id).Select(f => f.GetProperty("kind").GetString()).Order().ToList();
        Assert.Equal(["cancelled-holds-money", "money", "place-count"], kinds);
        // Run again (the next night): nothing new while they are open.
        Assert.DoesNotContain((await JsonAsync(await officer.PostAsync("/api/reconciliation/run", null))).EnumerateArray(), f => f.GetProperty("stationId").GetInt32() == s.Station1.Id);

        var forStation = await clerk.GetFromJsonAsync<List<JsonElement>>("/api/reconciliation/findings");
        Assert.Equal(3, forStation!.Count);
        Assert.Contains(forStation, f => f.GetProperty("detail").GetString()!.Contains("已取消，仍记有已付15元"));
        Assert.Empty((await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).GetFromJsonAsync<List<JsonElement>>("/api/reconciliation/findings"))!);
        var first = forStation[0].GetProperty("id").GetInt64();
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync($"/api/reconciliation/findings/{first}/close", new { note = "查过了" }), 403, "forbidden");
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.PostAsJsonAsync($"/api/reconciliation/findings/{first}/close", new { note = "已退还现金并更正" })).StatusCode);
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/reconciliation/findings/{first}/close", new { note = "again" }), 409, "finding-closed");
        Assert.Equal(2, (await clerk.GetFromJsonAsync<List<JsonElement>>("/api/reconciliation/findings"))!.Count);
    }

    [Fact]
    public async Task The_meal_counter_is_told_when_a_meal_handed_out_is_still_unpaid()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(0, 0), new(23, 59), capacity: 5, date: today, cutoffAt: DateTime.UtcNow.AddHours(1), period: MealPeriod.Lunch);
        var (paidElder, unpaidElder) = (await s.AddElderAsync(), await s.AddElderAsync());
        var paid = (await JsonAsync(await BookAsync(clerk, paidElder.Id, lunch.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();
        await BookAsync(clerk, unpaidElder.Id, lunch.Id, mode: ServiceModes.AtCentre);
        await clerk.PostAsJsonAsync($"/api/bookings/{paid}/payments", new { method = "Cash", amountFen = 1500 }, Json);
        var codes = await s.WithDbAsync(db => db.Elders.Where(e => e.Id == paidElder.Id || e.Id == unpaidElder.Id).ToDictionaryAsync(e => e.Id, e => e.MealCode!));

        var served = await JsonAsync(await clerk.PostAsJsonAsync("/api/meal-checkins", new { mealCode = codes[unpaidElder.Id], period = "Lunch" }, Json));
        Assert.Equal((1500L, 0L, 1500L), (served.GetProperty("payableFen").GetInt64(), served.GetProperty("paidFen").GetInt64(), served.GetProperty("unpaidFen").GetInt64()));
        Assert.Equal(0L, (await JsonAsync(await clerk.PostAsJsonAsync("/api/meal-checkins", new { mealCode = codes[paidElder.Id], period = "Lunch" }, Json))).GetProperty("unpaidFen").GetInt64());
    }
}
