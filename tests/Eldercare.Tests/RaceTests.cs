using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.FakeWeChat;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class RaceTestsOnPostgres(PostgresWeChatPayApi api) : RaceTests(api), IClassFixture<PostgresWeChatPayApi>;

public sealed class RaceTestsOnSqlite(WeChatPayApi api) : RaceTests(api), IClassFixture<WeChatPayApi>;

/// <summary>
/// Two different operations meeting on one booking, sent at the same moment by real concurrent HTTP clients, many times
/// over. Whatever order they land in, the books balance afterwards: money taken = money owed back + money held by live
/// bookings; a slot's booked count = the bookings holding a place in it; no cancelled booking holds money or subsidy;
/// and the hub's own reconciliation finds nothing to report.
/// </summary>
public abstract class RaceTests(WeChatPayApi api)
{
    private const int Rounds = 15;

    [Fact]
    public async Task A_window_payment_and_a_cancel_at_once_leave_the_money_owed_back_or_never_taken()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: Rounds, period: MealPeriod.Lunch);
        var rounds = await BookEachAsync(s, clerk, Rounds, _ => lunch.Id);

        var answers = await AllAtOnceAsync(2 * Rounds, i => i % 2 == 0
            ? clerk.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/payments", new { method = "Cash", amountFen = 1500 }, Json)
            : rounds[i / 2].Elder.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/cancel", new { reason = "临时有事" }));

        for (var r = 0; r < Rounds; r++)
        {
            var (paid, cancelled) = (answers[2 * r].StatusCode, answers[2 * r + 1].StatusCode);
            Assert.Equal(HttpStatusCode.OK, cancelled);
            Assert.True(paid is HttpStatusCode.Created or HttpStatusCode.Conflict, paid.ToString());
            var payments = await s.WithDbAsync(db => db.Payments.AsNoTracking().Where(p => p.BookingId == rounds[r].BookingId).OrderBy(p => p.Id).ToListAsync());
            // Paid first: the cancel owes it back at this station. Cancelled first: nothing was taken.
            Assert.Equal(paid == HttpStatusCode.Created ? [(PaymentKind.Payment, 1500L), (PaymentKind.Refund, -1500L)] : [],
                payments.Select(p => (p.Kind, p.AmountFen)).ToList());
            Assert.All(payments, p => Assert.Equal(s.Station1.Id, p.StationId));
        }
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task Serving_a_meal_and_cancelling_it_at_once_either_serves_it_or_frees_the_place_and_owes_the_money()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(0, 0), new(23, 59), capacity: Rounds, date: today, cutoffAt: DateTime.UtcNow.AddHours(1), period: MealPeriod.Lunch);
        var rounds = await BookEachAsync(s, clerk, Rounds, _ => lunch.Id, ServiceModes.AtCentre);
        foreach (var round in rounds)
            Assert.Equal(HttpStatusCode.Created, (await clerk.PostAsJsonAsync($"/api/bookings/{round.BookingId}/payments", new { method = "Card", amountFen = 1500 }, Json)).StatusCode);
        var codes = await s.WithDbAsync(db => db.Elders.Where(e => rounds.Select(r => r.ElderId).Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.MealCode!));

        var answers = await AllAtOnceAsync(2 * Rounds, i => i % 2 == 0
            ? clerk.PostAsJsonAsync("/api/meal-checkins", new { mealCode = codes[rounds[i / 2].ElderId], period = "Lunch" }, Json)
            : rounds[i / 2].Elder.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/cancel", new { reason = "不吃了" }));

        for (var r = 0; r < Rounds; r++)
        {
            var (served, cancelled) = (answers[2 * r].StatusCode, answers[2 * r + 1].StatusCode);
            var status = await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == rounds[r].BookingId).Select(b => b.Status).SingleAsync());
            if (served == HttpStatusCode.OK)
                Assert.Equal((HttpStatusCode.Conflict, BookingStatus.Completed), (cancelled, status));
            else
            {
                // Cancelled first: the counter finds no meal, or (if it looked just before the cancel) is told it was just cancelled.
                Assert.Equal((HttpStatusCode.OK, BookingStatus.Cancelled), (cancelled, status));
                var refusal = (await JsonAsync(answers[2 * r])).GetProperty("type").GetString();
                Assert.True(refusal is "no-meal-booked" or "meal-cancelled", refusal);
            }
        }
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task Assigning_a_visit_and_taking_the_caregiver_off_the_roster_at_once_never_leave_a_visit_with_someone_gone()
    {
        var s = await CreateAsync(api);
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var rounds = new List<(long BookingId, int CaregiverId)>();
        for (var r = 0; r < Rounds; r++)
        {
            var caregiver = await JsonAsync(await manager.PostAsJsonAsync($"/api/stations/{s.Station1.Id}/caregivers", new { name = $"护理员{r}", phone = $"1390000{r:0000}", canBathe = false }));
            var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(6 + r % 12, 0), new(7 + r % 12, 0), capacity: 1, date: s.Day.AddDays(r / 12));
            var elder = await s.AddElderAsync();
            var booking = await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id));
            rounds.Add((booking.GetProperty("id").GetInt64(), caregiver.GetProperty("id").GetInt32()));
        }

        var answers = await AllAtOnceAsync(2 * Rounds, i => i % 2 == 0
            ? manager.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/assign", new { caregiverId = rounds[i / 2].CaregiverId })
            : manager.PutAsJsonAsync($"/api/caregivers/{rounds[i / 2].CaregiverId}", new { name = $"护理员{i / 2}", phone = $"1390000{i / 2:0000}", canBathe = false, isActive = false }));

        for (var r = 0; r < Rounds; r++)
        {
            var (assigned, left) = (answers[2 * r].StatusCode, answers[2 * r + 1].StatusCode);
            Assert.True((assigned, left) is (HttpStatusCode.OK, HttpStatusCode.Conflict) or (HttpStatusCode.NotFound, HttpStatusCode.OK), $"{assigned} / {left}");
        }
        var stranded = await s.WithDbAsync(db => (from b in db.Bookings
                                                  join c in db.Caregivers on b.CaregiverId equals c.Id
                                                  where !c.IsActive && b.Status == BookingStatus.Assigned
                                                  select b.Id).ToListAsync());
        Assert.Empty(stranded);
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task Bookings_racing_a_closure_are_refused_or_moved_and_none_is_left_in_the_closed_day()
    {
        var s = await CreateAsync(api);
        var closedDay = s.Day.AddDays(3);
        var closedSlot = await s.AddSlotAsync(s.Cleaning, s.Pool2, new(9, 0), new(11, 0), capacity: 2 * Rounds, date: closedDay);
        var nextDay = await s.AddSlotAsync(s.Cleaning, s.Pool2, new(9, 0), new(11, 0), capacity: 2 * Rounds, date: closedDay.AddDays(1));
        var hotline = await s.HotlineClientAsync();
        var manager = await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id);
        var elders = new List<Elder>();
        for (var i = 0; i < 2 * Rounds; i++) elders.Add(await s.AddElderAsync(station: 2));
        var closure = new { resourceId = s.Pool2.Id, from = closedDay, to = closedDay, reason = "护理员培训", moveBookings = true };

        // The closure goes out in the middle of the rush.
        var answers = await AllAtOnceAsync(2 * Rounds + 1, i => i == Rounds ? manager.PostAsJsonAsync("/api/closures", closure, Json) : BookAsync(hotline, elders[i < Rounds ? i : i - 1].Id, closedSlot.Id));
        var closed = answers[Rounds];
        Assert.Equal(HttpStatusCode.Accepted, closed.StatusCode);
        var progress = await ClosureProgress.WaitUntilSettledAsync(manager, (await JsonAsync(closed)).GetProperty("id").GetInt32());

        var booked = answers.Where((a, i) => i != Rounds && a.StatusCode == HttpStatusCode.Created).Count();
        foreach (var refused in answers.Where((a, i) => i != Rounds && a.StatusCode != HttpStatusCode.Created))
            await HttpAssert.ProblemAsync(refused, 409, "slot-closed");
        Assert.Equal((booked, booked, 0), (progress.GetProperty("bookingsAffected").GetInt32(), progress.GetProperty("bookingsMoved").GetInt32(), progress.GetProperty("remaining").GetInt32()));
        Assert.False(await s.WithDbAsync(db => db.Bookings.AnyAsync(b => b.SlotId == closedSlot.Id && b.Status != BookingStatus.Cancelled)));
        Assert.Equal(booked, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.SlotId == nextDay.Id && b.Status == BookingStatus.Confirmed)));
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task A_wechat_payment_arriving_as_the_family_cancels_is_always_owed_back_through_wechat()
    {
        var s = await CreateAsync(api);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: Rounds, period: MealPeriod.Lunch);
        var rounds = new List<(HttpClient Family, long BookingId, FakeWeChatPay.Notification Paid)>();
        for (var r = 0; r < Rounds; r++)
        {
            var elder = await s.AddElderAsync();
            var family = await api.WeChatFamilyAsync(s, elder);
            var booked = await JsonAsync(await BookAsync(family, elder.Id, lunch.Id, mode: ServiceModes.AtCentre));
            var id = booked.GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.OK, (await family.PostAsync($"/api/bookings/{id}/wechat-pay", null)).StatusCode);
            rounds.Add((family, id, api.WeChat.Pay.MarkPaid($"EC{id:D10}")));
        }

        var answers = await AllAtOnceAsync(2 * Rounds, i => i % 2 == 0
            ? api.CreateClient().SendAsync(FakeWeChatPay.RequestFor(WeChatPayApi.NotifyPath, rounds[i / 2].Paid))
            : rounds[i / 2].Family.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/cancel", new { reason = "改主意了" }));

        for (var r = 0; r < Rounds; r++)
        {
            Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.OK), (answers[2 * r].StatusCode, answers[2 * r + 1].StatusCode));
            var payments = await s.WithDbAsync(db => db.Payments.AsNoTracking().Where(p => p.BookingId == rounds[r].BookingId).OrderBy(p => p.Id).ToListAsync());
            Assert.Equal([(PaymentKind.Payment, PaymentMethod.WeChatPay, 1500L), (PaymentKind.Refund, PaymentMethod.WeChatPay, -1500L)],
                payments.Select(p => (p.Kind, p.Method, p.AmountFen)).ToList());
        }
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task A_refund_handed_over_twice_and_a_payment_at_once_give_the_money_back_once_and_take_none()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var otherClerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: Rounds, period: MealPeriod.Lunch);
        var rounds = await BookEachAsync(s, clerk, Rounds, _ => lunch.Id);
        var refunds = new List<long>();
        foreach (var round in rounds)
        {
            await clerk.PostAsJsonAsync($"/api/bookings/{round.BookingId}/payments", new { method = "Cash", amountFen = 1500 }, Json);
            await clerk.PostAsJsonAsync($"/api/bookings/{round.BookingId}/cancel", new { reason = "老人住院" });
            refunds.Add(await s.WithDbAsync(db => db.Payments.Where(p => p.BookingId == round.BookingId && p.Kind == PaymentKind.Refund).Select(p => p.Id).SingleAsync()));
        }
        var owed = await clerk.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"/api/stations/{s.Station1.Id}/refunds");
        Assert.Equal(refunds.Order(), owed!.Select(o => o.GetProperty("id").GetInt64()).Where(refunds.Contains).Order());

        var answers = await AllAtOnceAsync(3 * Rounds, i => (i % 3) switch
        {
            0 => clerk.PostAsync($"/api/refunds/{refunds[i / 3]}/hand-over", null),
            1 => otherClerk.PostAsync($"/api/refunds/{refunds[i / 3]}/hand-over", null),
            _ => clerk.PostAsJsonAsync($"/api/bookings/{rounds[i / 3].BookingId}/payments", new { method = "Cash", amountFen = 1500 }, Json),
        });

        for (var r = 0; r < Rounds; r++)
        {
            var handOvers = new[] { answers[3 * r], answers[3 * r + 1] };
            var slip = await JsonAsync(Assert.Single(handOvers, a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(("Refund", -1500L), (slip.GetProperty("kind").GetString(), slip.GetProperty("amountFen").GetInt64()));
            await HttpAssert.ProblemAsync(Assert.Single(handOvers, a => a.StatusCode != HttpStatusCode.OK), 409, "refund-settled");
            await HttpAssert.ProblemAsync(answers[3 * r + 2], 409, "not-payable");
        }
        Assert.DoesNotContain((await clerk.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"/api/stations/{s.Station1.Id}/refunds"))!,
            o => refunds.Contains(o.GetProperty("id").GetInt64()));
        await AssertBooksBalanceAsync(s);
    }

    [Fact]
    public async Task Rating_a_finished_service_and_cancelling_it_at_once_rate_it_and_cancel_nothing()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var rounds = new List<(Elder Elder, HttpClient Family, long BookingId)>();
        for (var r = 0; r < Rounds; r++)
        {
            var elder = await s.AddElderAsync();
            var family = await s.FamilyClientAsync(await s.AddFamilyAsync(elder.Id));
            var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(6 + r % 12, 0), new(7 + r % 12, 0), capacity: 1, date: s.Day.AddDays(r / 12));
            var id = (await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id))).GetProperty("id").GetInt64();
            await clerk.PostAsJsonAsync($"/api/bookings/{id}/payments", new { method = "Cash", amountFen = 8000 }, Json);
            foreach (var to in new[] { "InService", "Completed" })
                Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to }, Json)).StatusCode);
            rounds.Add((elder, family, id));
        }

        var answers = await AllAtOnceAsync(2 * Rounds, i => i % 2 == 0
            ? rounds[i / 2].Family.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/rating", new { score = 5, comment = "很好" })
            : rounds[i / 2].Family.PostAsJsonAsync($"/api/bookings/{rounds[i / 2].BookingId}/cancel", new { reason = "点错了" }));

        for (var r = 0; r < Rounds; r++)
        {
            Assert.Equal(HttpStatusCode.OK, answers[2 * r].StatusCode);
            await HttpAssert.ProblemAsync(answers[2 * r + 1], 409, "not-cancellable");
        }
        Assert.Equal(Rounds, await s.WithDbAsync(db => db.Bookings.CountAsync(b => rounds.Select(x => x.BookingId).Contains(b.Id) && b.Status == BookingStatus.Rated && b.PaidFen == 8000)));
        await AssertBooksBalanceAsync(s);
    }

    private sealed record Round(long BookingId, int ElderId, HttpClient Elder);

    /// <summary>One booking per round, each for a new elder of station 1 who also has their own mini-program session.</summary>
    private static async Task<List<Round>> BookEachAsync(Scenario s, HttpClient bookedBy, int count, Func<int, long> slotOf, ServiceModes? mode = null)
    {
        var rounds = new List<Round>();
        for (var i = 0; i < count; i++)
        {
            var elder = await s.AddElderAsync();
            var booked = await BookAsync(bookedBy, elder.Id, slotOf(i), mode: mode);
            Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
            rounds.Add(new Round((await JsonAsync(booked)).GetProperty("id").GetInt64(), elder.Id, await s.ElderClientAsync(elder)));
        }
        return rounds;
    }

    /// <summary>The invariants, checked straight on the rows, and by the hub's own reconciliation, which must find nothing.</summary>
    private async Task AssertBooksBalanceAsync(Scenario s)
    {
        var bookings = await s.WithDbAsync(db => db.Bookings.AsNoTracking().Select(b => new
        {
            b.Id, b.Status, b.PaidFen,
            Taken = db.Payments.Where(p => p.BookingId == b.Id && p.Kind == PaymentKind.Payment).Sum(p => (long?)p.AmountFen) ?? 0,
            OwedBack = -(db.Payments.Where(p => p.BookingId == b.Id && p.Kind == PaymentKind.Refund).Sum(p => (long?)p.AmountFen) ?? 0),
            Subsidy = db.SubsidyLedger.Where(l => l.BookingId == b.Id).Sum(l => (long?)l.AmountFen) ?? 0,
        }).ToListAsync());
        Assert.All(bookings, b => Assert.True(b.Taken == b.PaidFen + b.OwedBack, $"booking {b.Id}: taken {b.Taken} != held {b.PaidFen} + owed back {b.OwedBack}"));
        Assert.All(bookings.Where(b => b.Status is BookingStatus.Cancelled or BookingStatus.Rejected),
            b => Assert.True(b.PaidFen == 0 && b.Subsidy == 0, $"cancelled booking {b.Id} holds {b.PaidFen} fen and {b.Subsidy} fen of subsidy"));
        var slots = await s.WithDbAsync(db => db.Slots.AsNoTracking()
            .Select(x => new { x.Id, x.Booked, Holding = db.Bookings.Count(b => b.SlotId == x.Id && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.Rejected) })
            .ToListAsync());
        Assert.All(slots, x => Assert.True(x.Booked == x.Holding, $"slot {x.Id}: booked {x.Booked}, holding {x.Holding}"));

        await using var scope = api.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<Reconciliation>().CheckAsync(CancellationToken.None));
    }
}
