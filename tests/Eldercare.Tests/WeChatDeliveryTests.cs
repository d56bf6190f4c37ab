using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.FakeWeChat;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>An API whose WeChat is the fake WeChat server, sending every second.</summary>
public sealed class WeChatApi : ApiFactory
{
    public WeChatApi() : this(FakeWeChatServer.StartAsync().GetAwaiter().GetResult()) { }

    private WeChatApi(FakeWeChatServer wechat) : base(null, new Dictionary<string, string?>
    {
        ["Reminders:DispatchInterval"] = "00:00:01",
        ["WeChat:ApiBaseUrl"] = wechat.BaseUrl,
        ["WeChat:AppId"] = FakeWeChatServer.AppId,
        ["WeChat:AppSecret"] = FakeWeChatServer.AppSecret,
        ["WeChat:ReminderTemplateId"] = FakeWeChatServer.TemplateId,
        ["WeChat:ServiceCompletedTemplateId"] = FakeWeChatServer.CompletedTemplateId,
        ["Visits:PhotoFolder"] = Path.Combine(Path.GetTempPath(), "eldercare-wechat-photos-" + Guid.NewGuid().ToString("N")),
    }) => WeChat = wechat;

    public FakeWeChatServer WeChat { get; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await WeChat.DisposeAsync();
    }
}

public sealed class WeChatDeliveryTests(WeChatApi api) : IClassFixture<WeChatApi>
{
    private readonly WeChatApi _api = api;

    [Fact]
    public async Task After_a_home_visit_the_elder_and_family_get_a_message_that_opens_the_order_asking_whether_it_was_done()
    {
        var s = await CreateAsync(_api);
        var elder = await s.AddElderAsync();
        var daughter = await s.AddFamilyAsync(elder.Id);
        var (elderOpenId, daughterOpenId) = ($"o-{s.Tag}-visited", $"o-{s.Tag}-daughter");
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, elderOpenId));
            await db.FamilyMembers.Where(f => f.Id == daughter.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, daughterOpenId));
        });
        var (caregiver, account) = await VisitScenario.CaregiverAsync(s);

        var booking = await VisitScenario.FinishedVisitAsync(s, elder, caregiver, account);

        await WaitAsync(() => _api.WeChat.Messages.Count(m => (m.ToUser == elderOpenId || m.ToUser == daughterOpenId) && m.Data["thing1"] == "请确认上门服务") == 2, "both asked");
        var asked = _api.WeChat.Messages.Single(m => m.ToUser == elderOpenId && m.Data["thing1"] == "请确认上门服务");
        Assert.Equal((FakeWeChatServer.CompletedTemplateId, $"pages/order/index?id={booking}"), (asked.TemplateId, asked.Page));
        Assert.Equal("护理员王芳刚才为您上门保洁。", asked.Data["thing2"]);
        Assert.DoesNotContain(_api.WeChat.Messages, m => m.ToUser == elderOpenId && m.Data["thing1"] == "服务已完成，请评价"); // asked once, not twice
    }

    [Fact]
    public async Task Reminders_reach_elder_and_family_as_subscribe_messages_and_a_refusing_user_is_called_instead()
    {
        var s = await CreateAsync(_api);
        var elder = await s.AddElderAsync();
        var refusing = await s.AddElderAsync();
        var son = await s.AddFamilyAsync(elder.Id);
        var (elderOpenId, refusingOpenId, sonOpenId) = ($"o-{s.Tag}-elder", $"o-{s.Tag}-refusing", $"o-{s.Tag}-son");
        _api.WeChat.RefusingUsers[refusingOpenId] = true;
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, elderOpenId));
            await db.Elders.Where(e => e.Id == refusing.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, refusingOpenId));
            await db.FamilyMembers.Where(f => f.Id == son.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, sonOpenId));
        });
        const string text = "提醒您：明天09:00有上门助洁。如需取消，请在小程序里操作或拨打服务热线。";
        var reminders = new[] { elder, refusing }.Select(e => new Reminder
        { ElderId = e.Id, Kind = ReminderKind.BookingEveningBefore, Text = text, CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow }).ToList();
        await s.WithDbAsync(async db => { db.Reminders.AddRange(reminders); await db.SaveChangesAsync(); });

        await WaitAsync(() => _api.WeChat.Messages.Count(m => m.ToUser == elderOpenId || m.ToUser == sonOpenId) == 2, "both messages");
        var toElder = _api.WeChat.Messages.Single(m => m.ToUser == elderOpenId);
        Assert.Equal(FakeWeChatServer.TemplateId, toElder.TemplateId);
        Assert.Equal($"pages/orders/index?reminder={reminders[0].Id}", toElder.Page);
        Assert.Equal("服务提醒", toElder.Data["thing1"]);
        Assert.Equal(text[..19] + "…", toElder.Data["thing2"]); // WeChat takes 20 characters; the rest is one tap away
        Assert.Single(_api.WeChat.Messages, m => m.ToUser == sonOpenId);

        var refused = await WaitForAsync(s, refusing.Id, d => d.Channel == DeliveryChannel.PhoneCall);
        var all = await s.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.ElderId == refusing.Id || d.ElderId == elder.Id).OrderBy(d => d.Id).ToListAsync());
        Assert.Contains(all, d => d.ElderId == refusing.Id && d.Channel == DeliveryChannel.WeChat && d.Status == DeliveryStatus.Failed && d.FailReason!.Contains("43101"));
        Assert.Equal(DeliveryStatus.Queued, refused.Status);
        Assert.All(all.Where(d => d.ElderId == elder.Id), d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
        Assert.DoesNotContain(_api.WeChat.Messages, m => m.ToUser == refusingOpenId);
    }

    [Fact]
    public async Task Messages_wait_out_a_wechat_outage_and_a_renewed_token_is_fetched_again()
    {
        var s = await CreateAsync(_api);
        var elder = await s.AddElderAsync();
        var openId = $"o-{s.Tag}-outage";
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, openId)));

        _api.WeChat.Down = true;
        var first = new Reminder { ElderId = elder.Id, Kind = ReminderKind.WaitlistPromoted, Text = "候补成功：已为您预约好。", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow };
        await s.WithDbAsync(async db => { db.Reminders.Add(first); await db.SaveChangesAsync(); });
        var queued = await WaitForAsync(s, elder.Id, d => d.Channel == DeliveryChannel.WeChat);
        await Task.Delay(TimeSpan.FromSeconds(3)); // several send runs meet the outage
        Assert.Equal(DeliveryStatus.Queued, (await s.WithDbAsync(db => db.Deliveries.SingleAsync(d => d.Id == queued.Id))).Status);

        _api.WeChat.Down = false;
        await WaitAsync(() => _api.WeChat.Messages.Any(m => m.ToUser == openId), "the message after the outage");
        Assert.Equal("候补成功：已为您预约好。", _api.WeChat.Messages.Single(m => m.ToUser == openId).Data["thing2"]);

        // WeChat renews its token: the next message is still delivered, with a token fetched again.
        var tokensBefore = _api.WeChat.TokenRequests;
        _api.WeChat.RenewToken();
        var second = new Reminder { ElderId = elder.Id, Kind = ReminderKind.BookingConfirmed, Text = "已为您预约。", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow };
        await s.WithDbAsync(async db => { db.Reminders.Add(second); await db.SaveChangesAsync(); });
        await WaitAsync(() => _api.WeChat.Messages.Count(m => m.ToUser == openId) == 2, "the message after the token was renewed");
        Assert.True(_api.WeChat.TokenRequests > tokensBefore);
        // WeChat has the message; the sender marks it delivered right after WeChat's answer.
        await WaitForAsync(s, elder.Id, d => d.ReminderId == second.Id && d.Status == DeliveryStatus.Delivered);
        Assert.All(await s.WithDbAsync(db => db.Deliveries.Where(d => d.ElderId == elder.Id).ToListAsync()), d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
    }

    private static async Task WaitAsync(Func<bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<Delivery> WaitForAsync(Scenario s, int elderId, Func<Delivery, bool> match)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = (await s.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.ElderId == elderId).ToListAsync())).FirstOrDefault(match);
            if (found is not null) return found;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting for a delivery");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_finished_visit_asks_elder_and_family_to_rate_it_with_its_own_template()
    {
        var s = await CreateAsync(_api);
        var elder = await s.AddElderAsync();
        var daughter = await s.AddFamilyAsync(elder.Id);
        var (elderOpenId, daughterOpenId) = ($"o-{s.Tag}-rate-elder", $"o-{s.Tag}-rate-daughter");
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, elderOpenId));
            await db.FamilyMembers.Where(f => f.Id == daughter.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, daughterOpenId));
        });
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var id = (await JsonAsync(await BookAsync(clerk, elder.Id, slot.Id))).GetProperty("id").GetInt64();
        foreach (var step in new[] { "InService", "Completed" })
            await clerk.PostAsJsonAsync($"/api/bookings/{id}/transitions", new { to = step }, Json);

        await WaitAsync(() => _api.WeChat.Messages.Count(m => m.TemplateId == FakeWeChatServer.CompletedTemplateId && (m.ToUser == elderOpenId || m.ToUser == daughterOpenId)) == 2, "the rate-it messages");
        var toElder = _api.WeChat.Messages.Single(m => m.ToUser == elderOpenId && m.TemplateId == FakeWeChatServer.CompletedTemplateId);
        Assert.Equal("服务已完成，请评价", toElder.Data["thing1"]);
        Assert.StartsWith("pages/orders/index", toElder.Page);

        var templates = await (await s.ElderClientAsync(elder)).GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/wechat/templates");
        Assert.Equal([FakeWeChatServer.TemplateId, FakeWeChatServer.CompletedTemplateId], templates.GetProperty("forBooking").EnumerateArray().Select(t => t.GetString()));
    }
}
