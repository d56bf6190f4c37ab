using System.Diagnostics;
using Eldercare.Api.Domain;
using Eldercare.FakeWeChat;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Tests;

/// <summary>
/// The mini-program's pages (jest + miniprogram-simulate, in miniprogram/tests/e2e) against the API as a real process with
/// the demo street and the fake WeChat server on real ports: log in, bind, the elder agrees, book, pay, WeChat Pay's
/// notification reaches the API, and the order shows as paid.
/// </summary>
public sealed class MiniProgramEndToEndTests
{
    [Fact]
    public async Task A_family_member_binds_books_and_pays_and_a_housebound_elder_gets_a_delivered_paid_lunch_in_three_taps()
    {
        await using var wechat = await FakeWeChatServer.StartAsync();
        using var database = TestDatabase.NewSqlite();
        var port = ApiProcess.FreePort();
        var environment = ApiProcess.EnvironmentFor(database);
        environment["DemoData__LoadOnStart"] = "true";
        environment["WeChat__ApiBaseUrl"] = wechat.BaseUrl;
        environment["WeChat__AppId"] = FakeWeChatServer.AppId;
        environment["WeChat__AppSecret"] = FakeWeChatServer.AppSecret;
        environment["WeChatPay__ApiBaseUrl"] = wechat.BaseUrl;
        environment["WeChatPay__MerchantId"] = FakeWeChatPay.MerchantId;
        environment["WeChatPay__MerchantSerialNo"] = FakeWeChatPay.MerchantSerialNo;
        environment["WeChatPay__MerchantPrivateKey"] = wechat.Pay.MerchantPrivateKeyPem;
        environment["WeChatPay__ApiV3Key"] = wechat.Pay.ApiV3Key;
        environment["WeChatPay__PlatformPublicKey"] = wechat.Pay.PlatformPublicKeyPem;
        environment["WeChatPay__PlatformSerialNo"] = FakeWeChatPay.PlatformSerialNo;
        environment["WeChatPay__NotifyUrl"] = $"http://127.0.0.1:{port}/api/wechat-pay/notify";
        using var api = ApiProcess.StartOn(port, environment);
        Assert.True(await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), api.Output);

        // Active demo elders with a phone of their own (couples share landlines) and no WeChat yet: one whom a daughter
        // binds, and one housebound (ability level 2 or worse) who orders her own lunch, in a zone with a meal point.
        Elder elder, housebound;
        int houseboundMealPoint;
        await using (var db = database.Open())
        {
            var shared = await db.Elders.GroupBy(e => e.Phone).Where(g => g.Count() > 1).Select(g => g.Key).ToListAsync();
            elder = await db.Elders.Where(e => e.Status == ElderStatus.Active && e.Groups == ElderGroups.None && e.WeChatOpenId == null && !shared.Contains(e.Phone))
                .OrderBy(e => e.Id).FirstAsync();
            var withMealPoint = db.ServiceResources.Where(r => r.Kind == ResourceKind.MealPoint).Select(r => r.StationId);
            housebound = await (from e in db.Elders
                                join c in db.Communities on e.CommunityId equals c.Id
                                where e.Status == ElderStatus.Active && e.AbilityLevel >= 2 && e.AbilityLevel <= 3 && e.WeChatOpenId == null
                                      && !shared.Contains(e.Phone) && e.Id != elder.Id && withMealPoint.Contains(c.StationId)
                                orderby e.Id
                                select e).FirstAsync();
            houseboundMealPoint = await (from c in db.Communities
                                         join r in db.ServiceResources on c.StationId equals r.StationId
                                         where c.Id == housebound.CommunityId && r.Kind == ResourceKind.MealPoint
                                         select r.Id).FirstAsync();
        }

        var jest = new ProcessStartInfo("npx") { WorkingDirectory = Path.Combine(RepoPaths.Root, "miniprogram"), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "jest", "-c", "jest.e2e.config.js", "--ci" }) jest.ArgumentList.Add(arg);
        jest.Environment["E2E_API"] = api.BaseUrl;
        jest.Environment["E2E_WECHAT"] = wechat.BaseUrl;
        jest.Environment["E2E_ELDER_NAME"] = elder.Name;
        jest.Environment["E2E_ELDER_LAST4"] = TestIds.TailOf(elder);
        jest.Environment["E2E_ELDER_PHONE"] = elder.Phone;
        jest.Environment["E2E_LUNCH_NAME"] = housebound.Name;
        jest.Environment["E2E_LUNCH_LAST4"] = TestIds.TailOf(housebound);
        jest.Environment["E2E_LUNCH_PHONE"] = housebound.Phone;
        using var run = Process.Start(jest)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var errors = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await run.WaitForExitAsync(timeout.Token);
        Assert.True(run.ExitCode == 0, await output + await errors + "\n--- API ---\n" + api.Output);

        await using (var db = database.Open())
        {
            var paid = await db.Payments.Where(p => p.ElderId == elder.Id && p.Method == PaymentMethod.WeChatPay && p.Kind == PaymentKind.Payment).SingleAsync();
            var booking = await db.Bookings.SingleAsync(b => b.Id == paid.BookingId);
            Assert.Equal((BookingStatus.Confirmed, booking.PayableFen), (booking.Status, booking.PaidFen));
            Assert.Equal(Channel.MiniProgram, booking.Channel);

            // The three-tap lunch: delivered, from her own zone's meal point, paid in WeChat, booked by herself.
            var lunch = await db.Bookings.SingleAsync(b => b.ElderId == housebound.Id && b.Line == ServiceLine.Meals);
            Assert.Equal((ServiceModes.Delivery, BookingStatus.Confirmed, houseboundMealPoint, ActorKind.Elder), (lunch.Mode, lunch.Status, lunch.ResourceId, lunch.BookedByKind));
            Assert.True(lunch.PayableFen > 0);
            Assert.Equal(lunch.PayableFen, await db.Payments.Where(p => p.BookingId == lunch.Id && p.Method == PaymentMethod.WeChatPay).SumAsync(p => p.AmountFen));
        }
    }
}
