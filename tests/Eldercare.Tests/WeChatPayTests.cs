using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Payments;
using Eldercare.FakeWeChat;
using Microsoft.Extensions.DependencyInjection;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>An API whose WeChat and WeChat Pay are the fake WeChat server.</summary>
public class WeChatPayApi : ApiFactory
{
    public const string NotifyPath = "/api/wechat-pay/notify";

    public WeChatPayApi() : this(null) { }

    protected WeChatPayApi(TestDatabase? database) : this(database, FakeWeChatServer.StartAsync().GetAwaiter().GetResult()) { }

    private WeChatPayApi(TestDatabase? database, FakeWeChatServer wechat) : base(database, new Dictionary<string, string?>
    {
        ["WeChat:ApiBaseUrl"] = wechat.BaseUrl,
        ["WeChat:AppId"] = FakeWeChatServer.AppId,
        ["WeChat:AppSecret"] = FakeWeChatServer.AppSecret,
        ["WeChatPay:ApiBaseUrl"] = wechat.BaseUrl,
        ["WeChatPay:MerchantId"] = FakeWeChatPay.MerchantId,
        ["WeChatPay:MerchantSerialNo"] = FakeWeChatPay.MerchantSerialNo,
        ["WeChatPay:MerchantPrivateKey"] = wechat.Pay.MerchantPrivateKeyPem,
        ["WeChatPay:ApiV3Key"] = wechat.Pay.ApiV3Key,
        ["WeChatPay:PlatformPublicKey"] = wechat.Pay.PlatformPublicKeyPem,
        ["WeChatPay:PlatformSerialNo"] = FakeWeChatPay.PlatformSerialNo,
        ["WeChatPay:NotifyUrl"] = "http://localhost" + NotifyPath,
    }) => WeChat = wechat;

    public FakeWeChatServer WeChat { get; }

    /// <summary>A family member logged in through (fake) WeChat and bound to the elder: who can pay with WeChat Pay.</summary>
    public async Task<HttpClient> WeChatFamilyAsync(Scenario s, Elder elder)
    {
        var login = await JsonAsync(await CreateClient().PostAsJsonAsync("/api/auth/wechat", new { code = WeChat.IssueLoginCode("o-" + Guid.NewGuid().ToString("N")) }));
        var familyId = login.GetProperty("id").GetInt32();
        await s.WithDbAsync(async db =>
        {
            db.FamilyBindings.Add(new FamilyBinding { FamilyMemberId = familyId, ElderId = elder.Id, Relation = "女儿", Status = BindingStatus.Active, RequestedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        var family = CreateClient();
        family.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        return family;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await WeChat.DisposeAsync();
    }
}

/// <summary>The same on a fresh PostgreSQL database, dropped when the class is done.</summary>
public sealed class PostgresWeChatPayApi() : WeChatPayApi(TestDatabase.NewPostgres())
{
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Database.Dispose();
    }
}

/// <summary>Paying the elder's part with WeChat Pay: the order, the mini-program's parameters, and notifications applied exactly once.</summary>
public sealed class WeChatPayTests(WeChatPayApi api) : IClassFixture<WeChatPayApi>
{
    private sealed record Setup(Scenario S, Elder Elder, HttpClient Family, long BookingId);

    /// <summary>A family member, logged in through WeChat and bound to an elder, has booked the elder a ¥15 lunch.</summary>
    private async Task<Setup> BookedLunchAsync()
    {
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var family = await api.WeChatFamilyAsync(s, elder);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var booked = await BookAsync(family, elder.Id, lunch.Id, mode: ServiceModes.AtCentre);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return new Setup(s, elder, family, (await JsonAsync(booked)).GetProperty("id").GetInt64());
    }

    private Task<HttpResponseMessage> NotifyAsync(FakeWeChatPay.Notification n) =>
        api.CreateClient().SendAsync(FakeWeChatPay.RequestFor(WeChatPayApi.NotifyPath, n));

    private static Task<List<Payment>> PaymentsAsync(Setup x) =>
        x.S.WithDbAsync(db => db.Payments.AsNoTracking().Where(p => p.BookingId == x.BookingId).OrderBy(p => p.Id).ToListAsync());

    [Fact]
    public async Task A_family_member_pays_in_the_mini_program_and_the_booking_is_paid_once_however_often_WeChat_tells()
    {
        var x = await BookedLunchAsync();

        var before = await x.Family.GetFromJsonAsync<JsonElement>($"/api/bookings/{x.BookingId}");
        Assert.Equal("Requested", before.GetProperty("status").GetString()); // the place is held while the family pays

        var parameters = await JsonAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null));

        var order = api.WeChat.Pay.Orders[$"EC{x.BookingId:D10}"];
        Assert.Equal(1500, order.Total);
        Assert.Equal($"prepay_id={order.PrepayId}", parameters.GetProperty("package").GetString());
        Assert.Equal("RSA", parameters.GetProperty("signType").GetString());
        Assert.True(api.WeChat.Pay.PaySignIsValid(FakeWeChatServer.AppId, parameters.GetProperty("timeStamp").GetString()!,
            parameters.GetProperty("nonceStr").GetString()!, parameters.GetProperty("package").GetString()!, parameters.GetProperty("paySign").GetString()!));
        var again = await JsonAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null)); // the payer closed the sheet and tapped again
        Assert.Equal(parameters.GetProperty("package").GetString(), again.GetProperty("package").GetString());
        Assert.Empty(await PaymentsAsync(x)); // asking to pay is not paying

        var paid = api.WeChat.Pay.MarkPaid(order.OutTradeNo);
        var answers = await AllAtOnceAsync(5, _ => NotifyAsync(paid)); // WeChat Pay retries, and a replay arrives at the same moment
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(paid)).StatusCode);

        var payment = Assert.Single(await PaymentsAsync(x));
        Assert.Equal((PaymentKind.Payment, PaymentMethod.WeChatPay, 1500L), (payment.Kind, payment.Method, payment.AmountFen));
        var booking = await x.Family.GetFromJsonAsync<JsonElement>($"/api/bookings/{x.BookingId}");
        Assert.Equal((1500L, "Confirmed"), (booking.GetProperty("price").GetProperty("paidFen").GetInt64(), booking.GetProperty("status").GetString()));
        Assert.Equal(["Requested", "Confirmed"], booking.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()));
        var notices = await x.S.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => r.BookingId == x.BookingId && r.Kind == ReminderKind.BookingConfirmed).ToListAsync());
        Assert.StartsWith("已付款15元，预约成功", Assert.Single(notices).Text); // told once, when paid
        await HttpAssert.ProblemAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null), 409, "already-paid");
    }

    [Fact]
    public async Task A_busy_WeChat_Pay_is_asked_again_with_each_attempt_signed_anew_and_makes_one_order()
    {
        var x = await BookedLunchAsync();
        var before = api.WeChat.Pay.Requests;
        api.WeChat.Pay.FailNextRequests = 2; // 503 SYSTEM_ERROR twice

        var answer = await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // Three attempts, each with its own signature: the fake refuses a nonce it has seen, as a replay.
        Assert.Equal(before + 3, api.WeChat.Pay.Requests);
        Assert.Equal($"prepay_id={api.WeChat.Pay.Orders[$"EC{x.BookingId:D10}"].PrepayId}", (await JsonAsync(answer)).GetProperty("package").GetString());
        Assert.Equal(0, api.WeChat.Pay.FailNextRequests);
    }

    [Fact]
    public async Task Forged_altered_stale_and_unknown_key_notifications_are_refused_and_change_nothing()
    {
        var x = await BookedLunchAsync();
        await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);
        var order = api.WeChat.Pay.Orders[$"EC{x.BookingId:D10}"];
        var genuine = api.WeChat.Pay.MarkPaid(order.OutTradeNo);

        using var forger = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, (await NotifyAsync(FakeWeChatPay.ForgedBy(forger, genuine))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await NotifyAsync(genuine with { Body = genuine.Body.Replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESS ") })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await NotifyAsync(genuine with { Serial = "PUB_KEY_ID_OLD" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await NotifyAsync(genuine with { Signature = "" })).StatusCode);
        var stale = api.WeChat.Pay.NotificationFor(order, order.Total, DateTimeOffset.UtcNow.AddMinutes(-10)); // recorded earlier, replayed now
        Assert.Equal(HttpStatusCode.Unauthorized, (await NotifyAsync(stale)).StatusCode);
        var refusal = await (await NotifyAsync(stale)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("FAIL", refusal.GetProperty("code").GetString());
        // Signed properly, but the amount paid is not what the booking costs: never booked as paid.
        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(api.WeChat.Pay.NotificationFor(order, 1))).StatusCode);
        Assert.Empty(await PaymentsAsync(x));

        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(genuine)).StatusCode); // the real one still counts
        Assert.Single(await PaymentsAsync(x));
    }

    [Fact]
    public async Task A_payment_that_arrives_after_the_booking_was_cancelled_is_recorded_as_owed_back()
    {
        var x = await BookedLunchAsync();
        await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);
        var order = api.WeChat.Pay.Orders[$"EC{x.BookingId:D10}"];
        Assert.Equal(HttpStatusCode.OK, (await x.Family.PostAsJsonAsync($"/api/bookings/{x.BookingId}/cancel", new { reason = "不去了" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await NotifyAsync(api.WeChat.Pay.MarkPaid(order.OutTradeNo))).StatusCode);

        Assert.Equal([1500L, -1500L], (await PaymentsAsync(x)).Select(p => p.AmountFen));
        var booking = await x.Family.GetFromJsonAsync<JsonElement>($"/api/bookings/{x.BookingId}");
        Assert.Equal(("Cancelled", 0L), (booking.GetProperty("status").GetString(), booking.GetProperty("price").GetProperty("paidFen").GetInt64()));
    }

    [Fact]
    public async Task Only_the_elder_or_bound_family_pay_online_and_only_what_is_owed()
    {
        var x = await BookedLunchAsync();
        var stranger = await x.S.FamilyClientAsync(await x.S.AddFamilyAsync());
        await HttpAssert.ProblemAsync(await stranger.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null), 403, "not-bound");
        await HttpAssert.ProblemAsync(await (await x.S.StaffClientAsync(StaffRole.Clerk)).PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null), 403, "wechat-pay-mini-program-only");
        // A family member the test made without WeChat cannot be a WeChat payer.
        var withoutWeChat = await x.S.FamilyClientAsync(await x.S.AddFamilyAsync(x.Elder.Id));
        await HttpAssert.ProblemAsync(await withoutWeChat.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null), 409, "wechat-not-linked");
        await HttpAssert.ProblemAsync(await x.Family.PostAsync("/api/bookings/999999/wechat-pay", null), 404, "booking-not-found");
        Assert.DoesNotContain(api.WeChat.Pay.Orders.Keys, k => k == $"EC{x.BookingId:D10}");
    }

    [Fact]
    public async Task A_fully_subsidised_booking_in_the_mini_program_is_confirmed_at_once_with_nothing_to_pay()
    {
        var s = await CreateAsync(api);
        await s.AddRuleAsync(new SubsidyRule { Name = "特困助洁" + s.Tag, Line = ServiceLine.Cleaning, Kind = SubsidyKind.FixedAmount, Amount = 8000, Priority = 1 });
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var self = await s.ElderClientAsync(elder);

        var booking = await JsonAsync(await BookAsync(self, elder.Id, slot.Id));

        Assert.Equal(("Confirmed", 0L), (booking.GetProperty("status").GetString(), booking.GetProperty("price").GetProperty("payableFen").GetInt64()));
        await HttpAssert.ProblemAsync(await self.PostAsync($"/api/bookings/{booking.GetProperty("id").GetInt64()}/wechat-pay", null), 409, "nothing-to-pay");
    }

    private async Task<int> SendRefundsAsync()
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WeChatRefunds>().SendPendingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Cancelling_a_booking_paid_in_the_mini_program_gives_the_money_back_through_WeChat_Pay_once()
    {
        var x = await BookedLunchAsync();
        await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);
        var order = api.WeChat.Pay.Orders[$"EC{x.BookingId:D10}"];
        await NotifyAsync(api.WeChat.Pay.MarkPaid(order.OutTradeNo));
        Assert.Equal(HttpStatusCode.OK, (await x.Family.PostAsJsonAsync($"/api/bookings/{x.BookingId}/cancel", new { reason = "老人住院了" })).StatusCode);

        await SendRefundsAsync(); // what the minutely job does (it may have got there first)
        Assert.Equal(0, await SendRefundsAsync()); // the next run finds nothing owed

        var refundRow = (await PaymentsAsync(x)).Single(p => p.Kind == PaymentKind.Refund);
        Assert.NotNull(refundRow.SettledAt);
        var refund = api.WeChat.Pay.Refunds[$"RF{refundRow.Id:D10}"];
        Assert.Equal((order.OutTradeNo, 1500L), (refund.OutTradeNo, refund.Amount));
        Assert.Single(api.WeChat.Pay.Refunds.Values, r => r.OutTradeNo == order.OutTradeNo);
    }

    [Fact]
    public async Task A_payment_whose_notification_is_lost_is_found_by_asking_WeChat_Pay()
    {
        var x = await BookedLunchAsync();
        await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);
        api.WeChat.Pay.MarkPaid($"EC{x.BookingId:D10}"); // paid in WeChat; the notification never arrives

        var booking = await JsonAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay/check", null));

        Assert.Equal(("Confirmed", 1500L), (booking.GetProperty("status").GetString(), booking.GetProperty("price").GetProperty("paidFen").GetInt64()));
        Assert.Single(await PaymentsAsync(x));
    }

    [Fact]
    public async Task Before_an_unpaid_booking_gives_its_place_back_WeChat_Pay_is_asked_whether_it_was_paid_after_all()
    {
        var paidQuietly = await BookedLunchAsync();
        var neverPaid = await BookedLunchAsync();
        foreach (var x in new[] { paidQuietly, neverPaid }) await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null);
        api.WeChat.Pay.MarkPaid($"EC{paidQuietly.BookingId:D10}");
        var ids = new[] { paidQuietly.BookingId, neverPaid.BookingId };
        await paidQuietly.S.WithDbAsync(db => db.Bookings.Where(b => ids.Contains(b.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.CreatedAt, b => b.CreatedAt.AddMinutes(-30)).SetProperty(b => b.PayBy, b => b.CreatedAt.AddMinutes(-15)))); // the payment window has closed

        await using (var scope = api.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Eldercare.Api.Features.Bookings.UnpaidBookings>().ReleaseExpiredAsync(CancellationToken.None);

        var statuses = await paidQuietly.S.WithDbAsync(db => db.Bookings.Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Status));
        Assert.Equal(BookingStatus.Confirmed, statuses[paidQuietly.BookingId]);
        Assert.Equal(BookingStatus.Cancelled, statuses[neverPaid.BookingId]);
    }

    [Fact]
    public async Task An_answer_not_signed_by_WeChat_Pay_is_not_trusted_and_pays_nothing()
    {
        var x = await BookedLunchAsync();
        Assert.Equal(HttpStatusCode.OK, (await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay", null)).StatusCode); // signed: trusted
        api.WeChat.Pay.ForgedAnswers = true; // from here, someone between the hub and WeChat Pay answers for it
        try
        {
            api.WeChat.Pay.MarkPaid($"EC{x.BookingId:D10}"); // the answer to a query now says "paid", but is not WeChat Pay's

            var checkedBooking = await JsonAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay/check", null));
            Assert.Equal(("Requested", 0L), (checkedBooking.GetProperty("status").GetString(), checkedBooking.GetProperty("price").GetProperty("paidFen").GetInt64()));
            Assert.Empty(await PaymentsAsync(x));
            var other = await BookedLunchAsync();
            var refused = await other.Family.PostAsync($"/api/bookings/{other.BookingId}/wechat-pay", null);
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
            var problem = await JsonAsync(refused);
            Assert.Equal("wechat-pay-refused", problem.GetProperty("type").GetString());
            Assert.Contains("微信支付暂时不能确认", problem.GetProperty("detail").GetString());
        }
        finally
        {
            api.WeChat.Pay.ForgedAnswers = false;
        }
        // WeChat Pay's own answer is believed again.
        var paid = await JsonAsync(await x.Family.PostAsync($"/api/bookings/{x.BookingId}/wechat-pay/check", null));
        Assert.Equal("Confirmed", paid.GetProperty("status").GetString());
    }
}
