using System.Net;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Taking the elder's part at the window (cash, card, WeChat scan), the receipt, and the refund on cancel.</summary>
public sealed class WindowPaymentTests
{
    private sealed record Setup(Scenario S, HttpClient Clerk, StaffAccount ClerkAccount, Elder Elder, long BookingId);

    /// <summary>A clerk of station 1 books a ¥15 lunch for an elder of their zone.</summary>
    private static async Task<Setup> BookedLunchAsync(ApiFactory factory)
    {
        var s = await CreateAsync(factory);
        var account = await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id);
        var clerk = await s.ClientForAsync(account);
        var elder = await s.AddElderAsync();
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var booked = await BookAsync(clerk, elder.Id, lunch.Id, mode: ServiceModes.AtCentre);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return new Setup(s, clerk, account, elder, (await JsonAsync(booked)).GetProperty("id").GetInt64());
    }

    private static Task<HttpResponseMessage> PayAsync(HttpClient client, long bookingId, string method, long amountFen) =>
        client.PostAsJsonAsync($"/api/bookings/{bookingId}/payments", new { method, amountFen });

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clerk_takes_cash_prints_a_receipt_and_a_cancel_owes_it_back(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var (s, clerk, account, elder, bookingId) = await BookedLunchAsync(factory);

        var paid = await PayAsync(clerk, bookingId, "Cash", 1500);

        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        var receipt = await JsonAsync(paid);
        Assert.Equal(1500, receipt.GetProperty("amountFen").GetInt64());
        Assert.Equal("Cash", receipt.GetProperty("method").GetString());
        Assert.Equal(s.Station1.Name, receipt.GetProperty("station").GetString());
        Assert.Equal(account.DisplayName, receipt.GetProperty("receivedBy").GetString());
        Assert.Equal(TestIds.MaskOf(elder), receipt.GetProperty("maskedIdNumber").GetString());
        Assert.Matches("^01[0-9]{8}[0-9]{6}$", receipt.GetProperty("receiptNumber").GetString());
        var again = await clerk.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/payments/{receipt.GetProperty("paymentId").GetInt64()}/receipt");
        Assert.Equal(receipt.GetProperty("receiptNumber").GetString(), again.GetProperty("receiptNumber").GetString());
        var booking = await clerk.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/bookings/{bookingId}");
        Assert.Equal(1500, booking.GetProperty("price").GetProperty("paidFen").GetInt64());

        var cancelled = await clerk.PostAsJsonAsync($"/api/bookings/{bookingId}/cancel", new { reason = "老人临时住院" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(0, (await JsonAsync(cancelled)).GetProperty("price").GetProperty("paidFen").GetInt64());
        var lines = await s.WithDbAsync(db => db.Payments.AsNoTracking().Where(p => p.BookingId == bookingId).OrderBy(p => p.Id).ToListAsync());
        Assert.Equal([1500L, -1500L], lines.Select(p => p.AmountFen));
        Assert.Equal(PaymentKind.Refund, lines[1].Kind);
        Assert.Equal(PaymentMethod.Cash, lines[1].Method);
        await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "Cash", 1500), 409, "not-payable");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Wrong_amounts_second_payments_and_wrong_roles_are_refused_and_write_nothing(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var (s, clerk, _, _, bookingId) = await BookedLunchAsync(factory);
        var otherClerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station2.Id));
        var officer = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Officer, null));

        var wrong = await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "Card", 1000), 400, "wrong-amount");
        Assert.Equal(1500, wrong.GetProperty("payableFen").GetInt64());
        await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "Gold", 1500), 400, "malformed-request");
        await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "Cash", -5), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await PayAsync(await s.HotlineClientAsync(), bookingId, "Cash", 1500), 403, "window-only");
        await HttpAssert.ProblemAsync(await PayAsync(officer, bookingId, "Cash", 1500), 403, "window-only");
        await HttpAssert.ProblemAsync(await PayAsync(otherClerk, bookingId, "Cash", 1500), 403, "out-of-zone");
        await HttpAssert.ProblemAsync(await PayAsync(clerk, 999_999, "Cash", 1500), 404, "booking-not-found");
        Assert.Equal(0, await s.WithDbAsync(db => db.Payments.CountAsync(p => p.BookingId == bookingId)));

        Assert.Equal(HttpStatusCode.Created, (await PayAsync(clerk, bookingId, "WeChatScan", 1500)).StatusCode);
        await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "WeChatScan", 1500), 409, "already-paid");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Ten_clicks_at_once_take_the_money_once(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var (s, clerk, _, _, bookingId) = await BookedLunchAsync(factory);

        var responses = await AllAtOnceAsync(10, _ => PayAsync(clerk, bookingId, "Cash", 1500));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1500, await s.WithDbAsync(db => db.Payments.Where(p => p.BookingId == bookingId).SumAsync(p => p.AmountFen)));
    }

    [Fact]
    public async Task A_fully_subsidised_service_has_nothing_to_pay()
    {
        using var factory = new ApiFactory();
        var s = await CreateAsync(factory);
        await s.AddRuleAsync(new SubsidyRule { Name = "特困助餐", Line = ServiceLine.Meals, Kind = SubsidyKind.FixedAmount, Amount = 1500, Priority = 1 });
        var clerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id));
        var elder = await s.AddElderAsync();
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var bookingId = (await JsonAsync(await BookAsync(clerk, elder.Id, lunch.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();

        await HttpAssert.ProblemAsync(await PayAsync(clerk, bookingId, "Cash", 1), 409, "nothing-to-pay");
    }
}
