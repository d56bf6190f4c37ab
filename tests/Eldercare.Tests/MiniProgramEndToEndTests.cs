using System.Diagnostics;
using System.Net.Http.Json;
using Eldercare.Api.Infrastructure.Time;
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

        await RunPagesAsync("family-books-and-pays", api, new()
        {
            ["E2E_API"] = api.BaseUrl, ["E2E_WECHAT"] = wechat.BaseUrl,
            ["E2E_ELDER_NAME"] = elder.Name, ["E2E_ELDER_LAST4"] = TestIds.TailOf(elder), ["E2E_ELDER_PHONE"] = elder.Phone,
            ["E2E_LUNCH_NAME"] = housebound.Name, ["E2E_LUNCH_LAST4"] = TestIds.TailOf(housebound), ["E2E_LUNCH_PHONE"] = housebound.Phone,
        });

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

    [Fact]
    public async Task A_caregiver_binds_their_WeChat_with_the_managers_code_and_records_a_home_visit_with_real_photos()
    {
        await using var wechat = await FakeWeChatServer.StartAsync();
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database);
        environment["DemoData__LoadOnStart"] = "true";
        environment["WeChat__ApiBaseUrl"] = wechat.BaseUrl;
        environment["WeChat__AppId"] = FakeWeChatServer.AppId;
        environment["WeChat__AppSecret"] = FakeWeChatServer.AppSecret;
        var photos = Path.Combine(Path.GetTempPath(), "eldercare-e2e-photos-" + Guid.NewGuid().ToString("N"));
        environment["Visits__PhotoFolder"] = photos;
        using var api = ApiProcess.Start(environment);
        Assert.True(await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), api.Output);

        // Today's cleaning for an elder of caregiver1's station, booked and assigned to caregiver1 through the API.
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        StaffAccount caregiver;
        Elder elder;
        long slotId;
        string clerk, manager;
        await using (var db = database.Open())
        {
            caregiver = await db.StaffAccounts.SingleAsync(a => a.Username == "caregiver1");
            var station = caregiver.StationId!.Value;
            clerk = await db.StaffAccounts.Where(a => a.Role == StaffRole.Clerk && a.StationId == station).Select(a => a.Username).FirstAsync();
            manager = await db.StaffAccounts.Where(a => a.Role == StaffRole.StationManager && a.StationId == station).Select(a => a.Username).FirstAsync();
            var cleaning = await db.CatalogItems.FirstAsync(i => i.Line == ServiceLine.Cleaning);
            var zone = await db.Elders.Where(e => e.Status == ElderStatus.Active && e.Home.Latitude != 0 && db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == station))
                .OrderBy(e => e.Id).Take(50).ToListAsync();
            elder = zone.First(e => cleaning.IneligibilityReason(e, today) is null);
            var pool = await db.ServiceResources.FirstAsync(r => r.StationId == station && r.Kind == ResourceKind.CaregiverPool);
            var slot = new Slot { CatalogItemId = cleaning.Id, ResourceId = pool.Id, Date = today, Start = new(0, 5), End = new(23, 55), Capacity = 3, CutoffAt = DateTime.UtcNow.AddHours(1) };
            db.Slots.Add(slot);
            await db.SaveChangesAsync();
            slotId = slot.Id;
        }
        long bookingId;
        using (var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) })
        {
            async Task<string> TokenAsync(string username) =>
                (await (await http.PostAsJsonAsync("/api/auth/staff", new { username, password = ApiFactory.DemoPassword })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>())
                .GetProperty("token").GetString()!;
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = JsonContent.Create(new { elderId = elder.Id, slotId, mode = "AtHome" }) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(clerk));
            var booked = await http.SendAsync(request);
            Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync());
            bookingId = (await booked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
            var assign = new HttpRequestMessage(HttpMethod.Post, $"/api/bookings/{bookingId}/assign") { Content = JsonContent.Create(new { caregiverId = caregiver.CaregiverId }) };
            assign.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(manager));
            Assert.True((await http.SendAsync(assign)).IsSuccessStatusCode);
        }

        // The phone stands at the elder's door (as WeChat gives a position: GCJ-02) and its camera takes two real photos.
        Directory.CreateDirectory(photos);
        var (doorIn, doorOut) = (Path.Combine(photos, "door-in.jpg"), Path.Combine(photos, "door-out.jpg"));
        await File.WriteAllBytesAsync(doorIn, TestPhotos.Jpeg(seed: 501));
        await File.WriteAllBytesAsync(doorOut, TestPhotos.Jpeg(seed: 502));
        var door = ChinaDatum.ToGcj02(elder.Home);
        try
        {
            await RunPagesAsync("caregiver-visit", api, new()
            {
                ["E2E_API"] = api.BaseUrl, ["E2E_WECHAT"] = wechat.BaseUrl, ["E2E_MANAGER"] = manager, ["E2E_PASSWORD"] = ApiFactory.DemoPassword,
                ["E2E_CAREGIVER_ID"] = caregiver.CaregiverId!.Value.ToString(), ["E2E_BOOKING"] = bookingId.ToString(),
                ["E2E_LAT"] = door.Latitude.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["E2E_LNG"] = door.Longitude.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["E2E_PHOTO_IN"] = doorIn, ["E2E_PHOTO_OUT"] = doorOut,
            });

            await using var db = database.Open();
            var visit = await db.Visits.AsNoTracking().SingleAsync(v => v.BookingId == bookingId);
            Assert.Equal((VisitStatus.NeedsReview, "too-short", "kitchen,floors"), (visit.Status, visit.ReviewReasons, visit.ChecklistDone));
            Assert.True(visit.ClockIn.PhotoId is not null && visit.ClockOut!.PhotoId is not null && visit.ClockIn.PhotoId != visit.ClockOut.PhotoId);
            Assert.Equal(2, Directory.GetFiles(photos, "*", SearchOption.AllDirectories).Count(f => Path.GetFileName(f).Length == 64)); // stored by content
            Assert.Equal(BookingStatus.Completed, await db.Bookings.Where(b => b.Id == bookingId).Select(b => b.Status).SingleAsync());
        }
        finally
        {
            Directory.Delete(photos, recursive: true);
        }
    }

    /// <summary>Runs one of the mini-program's end-to-end page tests (miniprogram/tests/e2e/&lt;name&gt;.test.js) against the servers named in its environment.</summary>
    private static async Task RunPagesAsync(string name, ApiProcess api, Dictionary<string, string> environment)
    {
        var jest = new ProcessStartInfo("npx") { WorkingDirectory = Path.Combine(RepoPaths.Root, "miniprogram"), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "jest", "-c", "jest.e2e.config.js", "--ci", name }) jest.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) jest.Environment[key] = value;
        using var run = Process.Start(jest)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var errors = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await run.WaitForExitAsync(timeout.Token);
        Assert.True(run.ExitCode == 0, await output + await errors + "\n--- API ---\n" + api.Output);
    }
}
