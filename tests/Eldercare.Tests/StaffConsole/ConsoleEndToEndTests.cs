using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Eldercare.Tests.StaffConsole;

/// <summary>
/// The staff console in a real headless Chromium (Debian's) against the real API process with the demo street:
/// what a clerk, a station manager and an officer see and can do. Screenshots of the main screens at 1366x768
/// are kept in TestResults/console-screenshots.
/// </summary>
public sealed class ConsoleEndToEndTests : IAsyncLifetime
{
    private static readonly string Screenshots = Path.Combine(RepoPaths.Root, "tests", "Eldercare.Tests", "TestResults", "console-screenshots");

    private readonly TestDatabase _database = TestDatabase.NewSqlite();
    private ApiProcess _api = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var environment = ApiProcess.EnvironmentFor(_database);
        environment["DemoData__LoadOnStart"] = "true";
        environment["Services__HotlineKey"] = ApiFactory.HotlineKey;
        _api = ApiProcess.Start(environment);
        Assert.True(await _api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), _api.Output);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
        _api.Dispose();
        _database.Dispose();
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(_api.BaseUrl + "/console/");
        return page;
    }

    private static async Task LogInAsync(IPage page, string username, string password)
    {
        await page.FillAsync("input[name=username]", username);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>The first elder (by id) of the zone of the station a demo clerk works at.</summary>
    private async Task<(int Id, string Name)> FirstElderOfZoneAsync(string clerkUsername)
    {
        await using var db = _database.Open();
        var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == clerkUsername);
        var elder = await db.Elders.Where(e => db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == clerk.StationId)).OrderBy(e => e.Id).FirstAsync();
        return (elder.Id, elder.Name);
    }

    private Task ShotAsync(IPage page, string name) => page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png") });

    [Fact]
    public async Task A_clerk_logs_in_finds_an_elder_of_their_zone_opens_the_file_which_is_audited_and_logs_out()
    {
        // An elder of clerk1's station, chosen from the demo street the API loaded.
        Elder elder;
        int clerkId;
        await using (var db = _database.Open())
        {
            var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == "clerk1");
            clerkId = clerk.Id;
            elder = await db.Elders.Where(e => db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == clerk.StationId))
                .OrderBy(e => e.Id).FirstAsync();
        }
        var page = await NewPageAsync();
        await page.WaitForSelectorAsync("input[name=username]");
        await ShotAsync(page, "01-login");

        await LogInAsync(page, "clerk1", "not-the-password");
        await Assertions.Expect(page.Locator("[data-test=login-error]")).ToContainTextAsync("用户名或密码不对");

        await LogInAsync(page, "clerk1", ApiFactory.DemoPassword);
        await Assertions.Expect(page.Locator("[data-test=who]")).ToContainTextAsync("窗口办事员");

        await page.FillAsync("input[name=query]", elder.NameInitials.ToLowerInvariant());
        await page.ClickAsync("button[type=submit]");
        var row = page.Locator("[data-test=results] tr", new() { HasText = elder.Name }).First;
        await Assertions.Expect(row).ToContainTextAsync(TestIds.MaskOf(elder));
        await Assertions.Expect(row).Not.ToContainTextAsync(elder.Phone);
        await ShotAsync(page, "02-find-elder");

        await row.GetByText("查看档案").ClickAsync();
        var file = page.Locator(".el-drawer");
        await Assertions.Expect(file).ToContainTextAsync(elder.Address);
        await Assertions.Expect(file).ToContainTextAsync(TestIds.MaskOf(elder));
        await ShotAsync(page, "03-elder-file");
        await using (var db = _database.Open())
            Assert.True(await db.ElderFileReads.AnyAsync(r => r.ElderId == elder.Id && r.StaffAccountId == clerkId), "opening the file is audited");

        await page.Keyboard.PressAsync("Escape");
        await page.ClickAsync("[data-test=logout]");
        await page.WaitForSelectorAsync("input[name=username]");
        // The old session no longer works: going back to the search screen asks for a login again.
        await page.GotoAsync(_api.BaseUrl + "/console/#/elders");
        await page.WaitForSelectorAsync("input[name=username]");
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_the_screen_says_until_when()
    {
        var page = await NewPageAsync();
        for (var i = 1; i <= 4; i++)
        {
            await LogInAsync(page, "manager2", "wrong-" + i);
            await Assertions.Expect(page.Locator("[data-test=login-error]")).ToContainTextAsync("用户名或密码不对");
        }
        await LogInAsync(page, "manager2", "wrong-5");
        await Assertions.Expect(page.Locator("[data-test=login-error]")).ToContainTextAsync("锁定");
        await LogInAsync(page, "manager2", ApiFactory.DemoPassword);
        await Assertions.Expect(page.Locator("[data-test=login-error]")).ToContainTextAsync("后可再试");
        await ShotAsync(page, "04-locked");
        Assert.Contains("/login", page.Url);
    }

    [Fact]
    public async Task A_clerk_is_refused_the_officers_screen_and_an_officer_sees_who_opened_a_file()
    {
        var page = await NewPageAsync();
        await LogInAsync(page, "clerk2", ApiFactory.DemoPassword);
        await Assertions.Expect(page.Locator("[data-test=who]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("档案查阅记录")).ToHaveCountAsync(0); // not in a clerk's menu
        await page.GotoAsync(_api.BaseUrl + "/console/#/file-reads");
        await Assertions.Expect(page.Locator("[data-test=forbidden]")).ToContainTextAsync("您没有权限办理这项业务");

        // The clerk opens a file through the search screen; the officer then finds that read in the log.
        var (elderId, elderName) = await FirstElderOfZoneAsync("clerk2");
        await page.GotoAsync(_api.BaseUrl + "/console/#/elders");
        await page.FillAsync("input[name=query]", elderName);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("[data-test=results] tr", new() { HasText = elderName }).First.GetByText("查看档案").ClickAsync();
        await Assertions.Expect(page.Locator(".el-drawer")).ToContainTextAsync(elderName);
        await page.Keyboard.PressAsync("Escape");
        await page.ClickAsync("[data-test=logout]");

        await LogInAsync(page, "officer1", ApiFactory.DemoPassword);
        await page.GetByText("档案查阅记录").ClickAsync();
        await page.FillAsync("input[name=elderId]", elderId.ToString());
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[data-test=reads]")).ToContainTextAsync("窗口");
        await ShotAsync(page, "05-file-reads");
    }

    [Fact]
    public async Task A_clerk_registers_a_walk_in_and_finds_them_at_once_while_a_wrong_id_number_is_caught_on_screen()
    {
        string community;
        await using (var db = _database.Open())
        {
            // A community of another station's zone: the elder walked in at clerk3's window.
            var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == "clerk3");
            community = await db.Communities.Where(c => c.StationId != clerk.StationId).OrderBy(c => c.Id).Select(c => c.Name).FirstAsync();
        }
        var first17 = $"11010819420611{Random.Shared.Next(100, 999)}";
        var idNumber = first17 + ChineseIdNumber.CheckCharacter(first17);
        var page = await NewPageAsync();
        await LogInAsync(page, "clerk3", ApiFactory.DemoPassword);
        await page.GetByText("老人建档").ClickAsync();

        await page.FillAsync("input[name=name]", "欧阳秀珍");
        await page.FillAsync("input[name=idNumber]", first17 + (idNumber[17] == '1' ? "2" : "1"));
        await page.FillAsync("input[name=address]", "学院路30号院1号楼101");
        await page.FillAsync("input[name=phone]", "010-82345678");
        await page.ClickAsync("[data-test=community]");
        await page.Keyboard.TypeAsync(community);
        await page.Locator(".el-select-dropdown__item", new() { HasText = community }).First.ClickAsync();
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.GetByText("身份证号校验不通过")).ToBeVisibleAsync();

        await page.FillAsync("input[name=idNumber]", idNumber);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[data-test=registered]")).ToContainTextAsync("已为欧阳秀珍建档");
        await Assertions.Expect(page.Locator("[data-test=registered]")).ToContainTextAsync("本站也可为其办理");
        await ShotAsync(page, "06-register");

        await page.GetByText("查找老人").ClickAsync();
        await page.FillAsync("input[name=query]", "oyxz");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[data-test=results]")).ToContainTextAsync(ChineseIdNumber.Mask(idNumber[^4..]));
    }

    [Fact]
    public async Task A_clerk_books_a_lunch_takes_the_money_prints_the_receipt_and_a_cancel_says_what_to_give_back()
    {
        Elder elder;
        await using (var db = _database.Open())
        {
            var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == "clerk1");
            // An active elder of clerk1's zone with no subsidy for meals, so there is something to pay.
            elder = await db.Elders.Where(e => e.Status == ElderStatus.Active && e.Groups == ElderGroups.None
                    && db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == clerk.StationId))
                .OrderByDescending(e => e.Id).FirstAsync();
        }
        var page = await NewPageAsync();
        await LogInAsync(page, "clerk1", ApiFactory.DemoPassword);
        await page.FillAsync("input[name=query]", elder.Phone);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("[data-test=results] tr", new() { HasText = elder.Name }).First.GetByText("查看档案").ClickAsync();
        await page.ClickAsync("[data-test=order]");

        await Assertions.Expect(page.Locator("[data-test=order-elder]")).ToContainTextAsync(elder.Name);
        await page.Locator("[data-test=services] tr", new() { HasText = "午餐·普通套餐" }).First.ClickAsync();
        await page.Locator("[data-test=slots] button", new() { HasText = "预约" }).First.ClickAsync();
        var dialog = page.Locator(".el-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync("应收 ¥15.00");
        await ShotAsync(page, "07-order-payment");
        await dialog.GetByText("现金").ClickAsync();
        await page.ClickAsync("[data-test=confirm-payment]");

        var receipt = page.Locator("[data-test=receipt]");
        await Assertions.Expect(receipt).ToContainTextAsync(elder.Name);
        await Assertions.Expect(receipt).ToContainTextAsync("¥15.00（现金）");
        await Assertions.Expect(receipt).ToContainTextAsync(TestIds.MaskOf(elder));
        await ShotAsync(page, "08-receipt");

        await page.GetByText("返回").ClickAsync();
        var booking = page.Locator("[data-test=bookings] tr", new() { HasText = "午餐·普通套餐" }).First;
        await Assertions.Expect(booking).ToContainTextAsync("已预约");
        await booking.GetByText("取消").ClickAsync();
        await page.Locator(".el-message-box input").FillAsync("老人说明天去女儿家");
        await page.GetByText("确认取消").ClickAsync();
        await Assertions.Expect(page.Locator(".el-message", new() { HasText = "已取消" })).ToContainTextAsync("请退还老人 ¥15.00");
        await using (var db = _database.Open())
        {
            var lines = await db.Payments.Where(p => p.ElderId == elder.Id).Select(p => p.AmountFen).ToListAsync();
            Assert.Equal([1500L, -1500L], lines.Order().Reverse());
        }
    }

    [Fact]
    public async Task The_counter_hands_out_a_meal_by_code_once_and_the_manager_sends_a_caregiver_on_todays_visit()
    {
        // Today's lunch and cleaning at station 1, bookable all day, booked for two elders of its zone through the API.
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        Elder diner, housebound;
        long lunchSlotId, cleaningSlotId;
        await using (var db = _database.Open())
        {
            var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == "clerk1");
            var zone = db.Elders.Where(e => e.Status == ElderStatus.Active && db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == clerk.StationId));
            // The counter serves the meal of the hour (lunch until 15:00 Beijing time, then dinner): book that one.
            var dinnerTime = BusinessTime.ToBusinessTime(DateTime.UtcNow).Hour >= 15;
            var lunch = await db.CatalogItems.FirstAsync(i => i.Name == (dinnerTime ? "晚餐·普通套餐" : "午餐·普通套餐"));
            var cleaning = await db.CatalogItems.FirstAsync(i => i.Line == ServiceLine.Cleaning);
            var candidates = await zone.OrderBy(e => e.Id).Take(50).ToListAsync();
            diner = candidates.First(e => lunch.IneligibilityReason(e, today) is null);
            housebound = candidates.First(e => e.Id != diner.Id && cleaning.IneligibilityReason(e, today) is null);
            var kitchen = await db.ServiceResources.FirstAsync(r => r.StationId == clerk.StationId && r.Kind == ResourceKind.MealPoint);
            var pool = await db.ServiceResources.FirstAsync(r => r.StationId == clerk.StationId && r.Kind == ResourceKind.CaregiverPool);
            var lateCutoff = BusinessTime.ToUtc(today, new TimeOnly(23, 59));
            var lunchSlot = new Slot
            {
                CatalogItemId = lunch.Id, ResourceId = kitchen.Id, Date = today, Start = dinnerTime ? new(17, 15) : new(11, 15), End = dinnerTime ? new(18, 45) : new(12, 45),
                MealPeriod = dinnerTime ? MealPeriod.Dinner : MealPeriod.Lunch, Capacity = 20, CutoffAt = lateCutoff,
            };
            var cleaningSlot = new Slot { CatalogItemId = cleaning.Id, ResourceId = pool.Id, Date = today, Start = new(15, 15), End = new(17, 15), Capacity = 3, CutoffAt = lateCutoff };
            db.Slots.AddRange(lunchSlot, cleaningSlot);
            await db.SaveChangesAsync();
            (lunchSlotId, cleaningSlotId) = (lunchSlot.Id, cleaningSlot.Id);
        }
        using (var http = new HttpClient { BaseAddress = new Uri(_api.BaseUrl) })
        {
            var login = await http.PostAsJsonAsync("/api/auth/staff", new { username = "clerk1", password = ApiFactory.DemoPassword });
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            foreach (var (elderId, slotId, mode) in new[] { (diner.Id, lunchSlotId, "AtCentre"), (housebound.Id, cleaningSlotId, "AtHome") })
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = JsonContent.Create(new { elderId, slotId, mode }) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var booked = await http.SendAsync(request);
                Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync());
            }
        }

        var page = await NewPageAsync();
        await LogInAsync(page, "clerk1", ApiFactory.DemoPassword);
        await page.GetByText("今日工作").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=day-bookings]")).ToContainTextAsync(diner.Name);
        await page.FillAsync("input[name=mealCode]", MealCode.Format(diner.MealCode!));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-test=checkin-result]")).ToContainTextAsync($"已领取：{diner.Name}");
        await Assertions.Expect(page.Locator("[data-test=day-bookings] tr", new() { HasText = diner.Name })).ToContainTextAsync("已完成");
        await ShotAsync(page, "09-today");
        await page.FillAsync("input[name=mealCode]", diner.MealCode!);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-test=checkin-result]")).ToContainTextAsync("这顿饭已经领过了");

        // The printable meal card carries the same code.
        await page.GetByText("查找老人").ClickAsync();
        await page.FillAsync("input[name=query]", diner.Phone);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("[data-test=results] tr", new() { HasText = diner.Name }).First.GetByText("查看档案").ClickAsync();
        await page.ClickAsync("[data-test=meal-card-link]");
        await Assertions.Expect(page.Locator("[data-test=meal-code]")).ToHaveTextAsync(MealCode.Format(diner.MealCode!));
        await ShotAsync(page, "10-meal-card");
        await page.ClickAsync("[data-test=logout]");

        await LogInAsync(page, "manager1", ApiFactory.DemoPassword);
        await page.GetByText("今日工作").ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new("上门服务") }).ClickAsync();
        var unassigned = page.Locator("[data-test=caregiver-day]", new() { HasText = "未派单" });
        await Assertions.Expect(unassigned).ToContainTextAsync(housebound.Name);
        await unassigned.Locator(".el-select").First.ClickAsync();
        var caregiverName = (await page.Locator(".el-select-dropdown__item:visible").First.InnerTextAsync()).Split('（')[0];
        await page.Locator(".el-select-dropdown__item:visible").First.ClickAsync();
        await unassigned.GetByRole(AriaRole.Button, new() { Name = "派单", Exact = true }).ClickAsync();
        await Assertions.Expect(unassigned).ToHaveCountAsync(0); // the only visit of the day is no longer waiting
        var caregiverDay = page.Locator("[data-test=caregiver-day]", new() { Has = page.Locator(".el-card__header", new() { HasText = caregiverName }) });
        await Assertions.Expect(caregiverDay).ToContainTextAsync(housebound.Name);
        await Assertions.Expect(caregiverDay).ToContainTextAsync("已派单");
        await ShotAsync(page, "11-home-visits");
        await using (var db = _database.Open())
            Assert.Equal(caregiverName, await db.Bookings.Where(b => b.SlotId == cleaningSlotId)
                .Join(db.Caregivers, b => b.CaregiverId, c => (int?)c.Id, (b, c) => c.Name).SingleAsync());

        await page.GetByText("驿站管理").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=roster]")).ToContainTextAsync(caregiverName);
        await ShotAsync(page, "12-station-roster");
    }

    [Fact]
    public async Task A_station_manager_settles_a_visit_that_needs_review_with_a_reason_and_a_resolution()
    {
        // A caregiver's visit to an elder of manager1's station whose clock-in was far from home and sent hours late.
        long visitId;
        string elderName;
        await using (var db = _database.Open())
        {
            var manager = await db.StaffAccounts.SingleAsync(a => a.Username == "manager1");
            var elder = await db.Elders.Where(e => db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == manager.StationId)).OrderBy(e => e.Id).FirstAsync();
            var caregiver = await db.Caregivers.FirstAsync(c => c.StationId == manager.StationId && c.IsActive);
            var at = DateTime.UtcNow.AddHours(-3);
            VisitFix Fix(DateTime when, double metresNorth)
            {
                var point = ChinaDatum.ToGcj02(new GeoPoint(elder.Home.Latitude + metresNorth / 111_195.0, elder.Home.Longitude)); // as a phone gives it
                return new() { Latitude = point.Latitude, Longitude = point.Longitude, AccuracyMeters = 30, CapturedAt = when, SentAt = when, ArrivedAt = when };
            }
            var visit = new Visit
            {
                Kind = VisitKind.Unscheduled, ElderId = elder.Id, CaregiverId = caregiver.Id, StationId = manager.StationId!.Value, Line = ServiceLine.Cleaning, ServiceName = "未预约的保洁",
                Date = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(at)), ClockIn = Fix(at, 900), ClockOut = Fix(at.AddMinutes(90), 10),
                Status = VisitStatus.NeedsReview, ReviewReasons = "unscheduled,outside-geofence", CreatedAt = at, UpdatedAt = at,
            };
            db.Visits.Add(visit);
            await db.SaveChangesAsync();
            (visitId, elderName) = (visit.Id, elder.Name);
        }

        var page = await NewPageAsync();
        await LogInAsync(page, "manager1", ApiFactory.DemoPassword);
        await page.GetByText("上门核查").ClickAsync();
        var card = page.Locator($"[data-test=review-{visitId}]");
        await Assertions.Expect(card).ToContainTextAsync(elderName);
        await Assertions.Expect(card).ToContainTextAsync("打卡位置不在老人家附近");
        await Assertions.Expect(card).ToContainTextAsync("离老人家 900 米");
        await ShotAsync(page, "13-visit-review");
        await card.Locator($"[data-test=reason-{visitId}]").ClickAsync();
        await page.Locator(".el-select-dropdown__item:visible", new() { HasText = "老人在外就医陪同" }).ClickAsync();
        await card.Locator($"[data-test=resolution-{visitId}]").ClickAsync();
        await page.Locator(".el-select-dropdown__item:visible", new() { HasText = "已电话向老人核实" }).ClickAsync();
        await card.Locator("input[placeholder*=说明]").FillAsync("陪老人去社区医院复诊");
        await card.GetByRole(AriaRole.Button, new() { Name = "处理" }).ClickAsync();
        await Assertions.Expect(card).ToHaveCountAsync(0); // settled: off the queue

        await using (var db = _database.Open())
        {
            var settled = await db.Visits.AsNoTracking().SingleAsync(v => v.Id == visitId);
            Assert.Equal((VisitStatus.Verified, "escorted-outside", "phoned-elder", "陪老人去社区医院复诊"), (settled.Status, settled.ResolutionReason, settled.Resolution, settled.ResolutionNote));
            var manager = await db.StaffAccounts.SingleAsync(a => a.Username == "manager1");
            Assert.Equal(manager.Id, settled.ResolvedByStaffId);
        }
    }

    [Fact]
    public async Task An_elder_presses_9_on_the_hotline_and_the_clerk_sees_the_case_at_once_closes_it_and_reads_the_call_log()
    {
        var (elderId, elderName) = await FirstElderOfZoneAsync("clerk1");
        // What the hotline does when an elder confirms 9: the case, then the call's line in the log.
        using var hotline = new HttpClient { BaseAddress = new Uri(_api.BaseUrl) };
        var login = await (await hotline.PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = ApiFactory.HotlineKey })).Content.ReadFromJsonAsync<JsonElement>();
        hotline.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("token").GetString());
        Assert.True((await hotline.PostAsJsonAsync("/api/hotline/emergencies", new { elderId, callId = "e2e-call-1" })).IsSuccessStatusCode);
        Assert.True((await hotline.PostAsJsonAsync("/api/hotline/calls", new
        {
            callId = "e2e-call-1", direction = "Inbound", number = "13900000000", elderId, path = "9,1,emergency", outcome = "emergency",
            startedAt = DateTime.UtcNow, durationSeconds = 42,
        })).IsSuccessStatusCode);

        var page = await NewPageAsync();
        await LogInAsync(page, "clerk1", ApiFactory.DemoPassword);
        await page.GetByText("热线与紧急求助").ClickAsync();
        var row = page.Locator("[data-test=emergencies] tr", new() { HasText = elderName });
        await Assertions.Expect(row).ToContainTextAsync("未处理");
        await ShotAsync(page, "07-emergencies");
        await row.GetByText("处理完毕").ClickAsync();
        await page.FillAsync(".el-message-box input", "已打电话，老人头晕，家属已到");
        await page.Locator(".el-message-box button", new() { HasText = "记下" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=emergencies]")).ToContainTextAsync("没有紧急求助");

        await page.GetByRole(AriaRole.Tab, new() { Name = "通话记录" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=calls] tr", new() { HasText = elderName })).ToContainTextAsync("紧急求助");
        await using (var db = _database.Open())
        {
            var closed = await db.EmergencyCases.SingleAsync(x => x.ElderId == elderId);
            Assert.Equal((EmergencyStatus.Closed, "已打电话，老人头晕，家属已到"), (closed.Status, closed.Note));
        }
    }
}
