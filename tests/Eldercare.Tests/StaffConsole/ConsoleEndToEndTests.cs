using Eldercare.Api.Domain;
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
        await Assertions.Expect(row).ToContainTextAsync(elder.MaskedIdNumber);
        await Assertions.Expect(row).Not.ToContainTextAsync(elder.Phone);
        await ShotAsync(page, "02-find-elder");

        await row.GetByText("查看档案").ClickAsync();
        var file = page.Locator(".el-drawer");
        await Assertions.Expect(file).ToContainTextAsync(elder.Address);
        await Assertions.Expect(file).ToContainTextAsync(elder.MaskedIdNumber);
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
        int elderId;
        string elderName;
        await using (var db = _database.Open())
        {
            var clerk = await db.StaffAccounts.SingleAsync(a => a.Username == "clerk2");
            var elder = await db.Elders.Where(e => db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == clerk.StationId)).OrderBy(e => e.Id).FirstAsync();
            (elderId, elderName) = (elder.Id, elder.Name);
        }
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
        await Assertions.Expect(receipt).ToContainTextAsync(elder.MaskedIdNumber);
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
}
