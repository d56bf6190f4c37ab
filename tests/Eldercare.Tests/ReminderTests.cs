using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>An API whose dispatch lanes look for due reminders every second, so tests see them go out quickly.</summary>
public sealed class QuickReminderApi() : ApiFactory(null, Settings)
{
    internal static readonly Dictionary<string, string?> Settings = new() { ["Reminders:DispatchInterval"] = "00:00:01" };
}

public sealed class QuickReminderPostgresApi() : ApiFactory(TestDatabase.NewPostgres(), QuickReminderApi.Settings)
{
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Database.Dispose();
    }
}

public sealed class ReminderTestsOnSqlite(QuickReminderApi api) : ReminderTests(api), IClassFixture<QuickReminderApi>;

public sealed class ReminderTestsOnPostgres(QuickReminderPostgresApi api) : ReminderTests(api), IClassFixture<QuickReminderPostgresApi>;

public abstract class ReminderTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task A_booking_brings_its_confirmation_and_reminders_the_evening_before_and_two_hours_before_which_a_cancel_withdraws()
    {
        var s = await CreateAsync(_factory);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var elder = await s.AddElderAsync();
        var hotline = await s.HotlineClientAsync();
        var bookingId = (await JsonAsync(await BookAsync(hotline, elder.Id, slot.Id))).GetProperty("id").GetInt64();

        var reminders = await s.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => r.BookingId == bookingId).ToListAsync());
        var confirmed = Assert.Single(reminders, r => r.Kind == ReminderKind.BookingConfirmed);
        Assert.InRange(confirmed.DueAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow);
        Assert.Contains("已为您预约", confirmed.Text);
        // Cleaning: 19:00 Beijing time the evening before (11:00 UTC), and 2 hours before 09:00 Beijing time.
        Assert.Equal(BusinessTime.ToUtc(s.Day.AddDays(-1), new TimeOnly(19, 0)), Assert.Single(reminders, r => r.Kind == ReminderKind.BookingEveningBefore).DueAt);
        Assert.Equal(BusinessTime.ToUtc(s.Day, new TimeOnly(7, 0)), Assert.Single(reminders, r => r.Kind == ReminderKind.BookingSoon).DueAt);
        Assert.Contains("明天09:00", reminders.Single(r => r.Kind == ReminderKind.BookingEveningBefore).Text);

        Assert.True((await hotline.PostAsync($"/api/bookings/{bookingId}/cancel", JsonContent(new { reason = "住院了" }))).IsSuccessStatusCode);

        var after = await s.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => r.BookingId == bookingId).ToListAsync());
        Assert.All(after.Where(r => Reminder.BeforeService.Contains(r.Kind)), r => Assert.Equal(ReminderStatus.Cancelled, r.Status));
        Assert.NotEqual(ReminderStatus.Cancelled, after.Single(r => r.Kind == ReminderKind.BookingConfirmed).Status);
    }

    [Fact]
    public async Task Due_reminders_reach_each_elder_on_their_best_channel_and_bound_family_on_wechat()
    {
        var s = await CreateAsync(_factory);
        var onWeChat = await s.AddElderAsync();
        var phoneOnly = await s.AddElderAsync();
        var prefersPhone = await s.AddElderAsync();
        var deceased = await s.AddElderAsync(status: ElderStatus.Deceased);
        var daughter = await s.AddFamilyAsync(onWeChat.Id, deceased.Id);
        var sonWithoutWeChat = await s.AddFamilyAsync(onWeChat.Id);
        var notYetConfirmed = await s.AddFamilyAsync(onWeChat.Id);
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == onWeChat.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, "o-elder-1"));
            await db.Elders.Where(e => e.Id == prefersPhone.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, "o-elder-3")
                .SetProperty(e => e.PreferredChannel, DeliveryChannel.PhoneCall));
            await db.FamilyMembers.Where(f => f.Id == daughter.Id || f.Id == notYetConfirmed.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, f => "o-family-" + f.Id));
            await db.FamilyBindings.Where(b => b.FamilyMemberId == notYetConfirmed.Id).ExecuteUpdateAsync(x => x.SetProperty(b => b.Status, BindingStatus.Pending));
        });
        var now = DateTime.UtcNow;
        var due = new[] { onWeChat, phoneOnly, prefersPhone, deceased }
            .Select(e => new Reminder { ElderId = e.Id, Kind = ReminderKind.BookingCancelled, Text = "测试提醒", CreatedAt = now, DueAt = now.AddSeconds(-1) }).ToList();
        var tomorrow = new Reminder { ElderId = phoneOnly.Id, Kind = ReminderKind.BookingSoon, Text = "明天的提醒", CreatedAt = now, DueAt = now.AddDays(1) };
        await s.WithDbAsync(async db => { db.Reminders.AddRange([.. due, tomorrow]); await db.SaveChangesAsync(); });

        await WaitUntilSentAsync(s, due.Select(r => r.Id).ToList());

        var deliveries = await s.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => due.Select(r => r.Id).Contains(d.ReminderId)).ToListAsync());
        string To(Elder e) => string.Join(",", deliveries.Where(d => d.ElderId == e.Id).OrderBy(d => d.RecipientKind).Select(d => $"{d.RecipientKind}:{d.Channel}"));
        Assert.Equal("Elder:WeChat,FamilyMember:WeChat", To(onWeChat));     // the son has no WeChat; an unconfirmed binding gets nothing
        Assert.Equal("Elder:PhoneCall", To(phoneOnly));
        Assert.Equal("Elder:PhoneCall", To(prefersPhone));                  // the elder's own choice comes first
        Assert.Equal("FamilyMember:WeChat", To(deceased));
        Assert.Equal(daughter.Id, deliveries.Single(d => d.ElderId == onWeChat.Id && d.RecipientKind == RecipientKind.FamilyMember).RecipientId);
        Assert.All(deliveries, d => Assert.Equal(("测试提醒", DeliveryStatus.Queued), (d.Text, d.Status)));

        var notDue = await s.WithDbAsync(db => db.Reminders.AsNoTracking().SingleAsync(r => r.Id == tomorrow.Id));
        Assert.Equal(ReminderStatus.Pending, notDue.Status);
        Assert.False(await s.WithDbAsync(db => db.Deliveries.AnyAsync(d => d.ReminderId == tomorrow.Id)));
    }

    [Fact]
    public async Task A_failed_channel_falls_back_to_the_next_and_the_station_console_comes_last()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.WeChatOpenId, "o-fallback")));
        var reminder = new Reminder { ElderId = elder.Id, Kind = ReminderKind.BookingMoved, Text = "改期通知", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow };
        await s.WithDbAsync(async db => { db.Reminders.Add(reminder); await db.SaveChangesAsync(); });
        await WaitUntilSentAsync(s, [reminder.Id]);

        var hotline = await s.HotlineClientAsync();
        var wechat = await s.WithDbAsync(db => db.Deliveries.SingleAsync(d => d.ReminderId == reminder.Id));
        Assert.Equal(DeliveryChannel.WeChat, wechat.Channel);

        // WeChat's refusal is reported by the hub's own WeChat sender; nobody outside reports WeChat deliveries.
        await HttpAssert.ProblemAsync(await hotline.PostAsync($"/api/deliveries/{wechat.Id}/outcome", JsonContent(new { delivered = true })), 403, "not-your-queue");
        var callId = await s.WithDbAsync(async db =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var (outcome, _) = await scope.ServiceProvider.GetRequiredService<DeliveryOutcomes>().ReportAsync(wechat, ReminderKind.BookingMoved, false, "43101 user refuse to accept the msg", default);
            Assert.Equal(DeliveryChannel.PhoneCall, outcome!.NextDelivery!.Channel);
            return outcome.NextDelivery.Id;
        });
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Officer)).PostAsync($"/api/deliveries/{callId}/outcome", JsonContent(new { delivered = true })), 403, "not-your-queue");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Caregiver)).PostAsync($"/api/deliveries/{callId}/outcome", JsonContent(new { delivered = true })), 403, "not-your-queue");
        // The call nobody answers waits out of the hotline's queue and is tried again ten minutes later, three tries in all.
        async Task<bool> InCallQueueAsync() => (await JsonAsync(await hotline.GetAsync($"/api/deliveries?channel=PhoneCall&elderId={elder.Id}")))
            .EnumerateArray().Any(d => d.GetProperty("id").GetInt64() == callId);
        System.Text.Json.JsonElement task = default;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.True(await InCallQueueAsync());
            task = await ReportAsync(hotline, callId, false, "无人接听");
            if (attempt == 3) break;
            Assert.InRange(task.GetProperty("retryAt").GetDateTime().ToUniversalTime(), DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(11));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, task.GetProperty("nextDelivery").ValueKind);
            Assert.False(await InCallQueueAsync());
            // The same report again (a retried request) is not a second try.
            await HttpAssert.ProblemAsync(await hotline.PostAsync($"/api/deliveries/{callId}/outcome", JsonContent(new { delivered = false, note = "无人接听" })), 409, "delivery-waiting");
            // Ten minutes pass.
            await s.WithDbAsync(db => db.Deliveries.Where(d => d.Id == callId).ExecuteUpdateAsync(x => x.SetProperty(d => d.NotBefore, DateTime.UtcNow.AddSeconds(-1))));
        }
        Assert.Equal(3, await s.WithDbAsync(db => db.Deliveries.Where(d => d.Id == callId).Select(d => d.Tries + 1).SingleAsync()));
        var taskDelivery = task.GetProperty("nextDelivery");
        Assert.Equal(("ConsoleTask", "改期通知"), (taskDelivery.GetProperty("channel").GetString(), taskDelivery.GetProperty("text").GetString()));
        // The station's clerk sees the task in the zone's queue and closes it after going round.
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var queue = await JsonAsync(await clerk.GetAsync("/api/deliveries?channel=ConsoleTask"));
        var queued = Assert.Single(queue.EnumerateArray(), d => d.GetProperty("id").GetInt64() == taskDelivery.GetProperty("id").GetInt64());
        Assert.Equal(elder.Name, queued.GetProperty("elderName").GetString());
        var otherStation = await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id);
        Assert.DoesNotContain((await JsonAsync(await otherStation.GetAsync("/api/deliveries?channel=ConsoleTask"))).EnumerateArray(),
            d => d.GetProperty("elderId").GetInt32() == elder.Id);
        await HttpAssert.ProblemAsync(await otherStation.PostAsync($"/api/deliveries/{taskDelivery.GetProperty("id").GetInt64()}/outcome",
            JsonContent(new { delivered = true })), 403, "out-of-zone");
        var last = await ReportAsync(clerk, taskDelivery.GetProperty("id").GetInt64(), false, "上门未见到");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("nextDelivery").ValueKind);

        var all = await s.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.ReminderId == reminder.Id).OrderBy(d => d.Id).ToListAsync());
        Assert.Equal(["WeChat:Failed:43101 user refuse to accept the msg", "PhoneCall:Failed:无人接听", "ConsoleTask:Failed:上门未见到"],
            all.Select(d => $"{d.Channel}:{d.Status}:{d.FailReason}"));
    }

    [Fact]
    public async Task Many_dispatchers_at_once_deliver_every_reminder_exactly_once()
    {
        var s = await CreateAsync(_factory);
        var elders = new List<Elder>();
        for (var i = 0; i < 6; i++) elders.Add(await s.AddElderAsync());
        var now = DateTime.UtcNow;
        var reminders = Enumerable.Range(0, 1200).Select(i => new Reminder
        {
            ElderId = elders[i % elders.Count].Id, Kind = ReminderKind.BookingConfirmed, Text = $"提醒{i}", CreatedAt = now, DueAt = now.AddSeconds(-i % 30),
        }).ToList();
        await s.WithDbAsync(async db => { db.Reminders.AddRange(reminders); await db.SaveChangesAsync(); });

        // Eight dispatchers race the hub's own lanes, each with its own connection, until nothing is left.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var scope = _factory.Services.CreateScope();
            var dispatcher = scope.ServiceProvider.GetRequiredService<ReminderDispatcher>();
            for (var idle = 0; idle < 3;)
                idle = await dispatcher.DispatchBatchAsync(default) > 0 ? 0 : idle + 1;
        })));
        await WaitUntilSentAsync(s, reminders.Select(r => r.Id).ToList());

        var ids = reminders.Select(r => r.Id).ToList();
        var perReminder = await s.WithDbAsync(db => db.Deliveries.Where(d => ids.Contains(d.ReminderId)).GroupBy(d => d.ReminderId)
            .Select(g => g.Count()).ToListAsync());
        Assert.Equal(reminders.Count, perReminder.Count);
        Assert.All(perReminder, count => Assert.Equal(1, count));
        // Claimed once each: no dispatcher ever took a reminder that another one held.
        Assert.Equal(0, await s.WithDbAsync(db => db.Reminders.CountAsync(r => ids.Contains(r.Id) && r.Attempts != 1)));
    }

    [Fact]
    public async Task A_claim_left_by_a_dead_node_is_taken_over_when_it_expires_and_a_live_claim_is_left_alone()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var now = DateTime.UtcNow;
        Reminder Claimed(DateTime expires) => new()
        {
            ElderId = elder.Id, Kind = ReminderKind.BookingSoon, Text = "断电前领走的提醒", CreatedAt = now.AddMinutes(-5), DueAt = now.AddMinutes(-5),
            Status = ReminderStatus.Dispatching, ClaimToken = "dead-node/1/x", ClaimExpiresAt = expires, Attempts = 1,
        };
        var orphaned = Enumerable.Range(0, 3).Select(_ => Claimed(now.AddMinutes(-1))).ToList();
        var held = Claimed(now.AddMinutes(10));
        await s.WithDbAsync(async db => { db.Reminders.AddRange([.. orphaned, held]); await db.SaveChangesAsync(); });

        await WaitUntilSentAsync(s, orphaned.Select(r => r.Id).ToList());

        var ids = orphaned.Select(r => r.Id).ToList();
        Assert.All(await s.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync()), r => Assert.Equal(2, r.Attempts));
        Assert.Equal(3, await s.WithDbAsync(db => db.Deliveries.CountAsync(d => ids.Contains(d.ReminderId))));
        var stillHeld = await s.WithDbAsync(db => db.Reminders.AsNoTracking().SingleAsync(r => r.Id == held.Id));
        Assert.Equal((ReminderStatus.Dispatching, "dead-node/1/x"), (stillHeld.Status, stillHeld.ClaimToken));
    }

    [Fact]
    public async Task A_check_in_call_nobody_answers_is_tried_three_times_then_family_and_station_are_alerted()
    {
        var s = await CreateAsync(_factory);
        var alone = await s.AddElderAsync(ElderGroups.LivingAlone);
        var fine = await s.AddElderAsync(ElderGroups.LivingAlone);
        var notOnList = await s.AddElderAsync();
        var inHospital = await s.AddElderAsync(status: ElderStatus.InHospital);
        var daughter = await s.AddFamilyAsync(alone.Id);
        // Their call time was a few minutes ago (Beijing time), so the day's calls are due at once.
        var callAt = TimeOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3)));
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == alone.Id || e.Id == fine.Id || e.Id == inHospital.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.DailyCheckInAt, callAt));
            await db.FamilyMembers.Where(f => f.Id == daughter.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, "o-daughter"));
        });
        using (var scope = _factory.Services.CreateScope())
        {
            var calls = scope.ServiceProvider.GetRequiredService<CheckInCalls>();
            var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3)));
            await calls.ScheduleDayAsync(today, default);
            await calls.ScheduleDayAsync(today, default); // a second run (a restart) writes nothing twice
        }
        var ours = new[] { alone.Id, fine.Id, notOnList.Id, inHospital.Id };
        var scheduled = await s.WithDbAsync(db => db.Reminders.Where(r => ours.Contains(r.ElderId) && r.Kind == ReminderKind.CheckInCall).ToListAsync());
        Assert.Equal([alone.Id, fine.Id], scheduled.Select(r => r.ElderId).Order());

        var hotline = await s.HotlineClientAsync();
        var fineCall = await CallDeliveryAsync(s, fine.Id, 1);
        // The hotline's dialler finds the calls in its queue, with the numbers to dial; a clerk's view of a queue has no numbers.
        var callQueue = await JsonAsync(await hotline.GetAsync($"/api/deliveries?channel=PhoneCall&elderId={fine.Id}"));
        Assert.Equal(fine.Phone, callQueue.EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == fineCall.Id).GetProperty("phone").GetString());
        var clerkQueue = await JsonAsync(await (await s.StaffClientAsync(StaffRole.Clerk)).GetAsync($"/api/deliveries?channel=PhoneCall&elderId={fine.Id}"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, clerkQueue.EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == fineCall.Id).GetProperty("phone").ValueKind);
        await ReportAsync(hotline, fineCall.Id, true, null);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var call = await CallDeliveryAsync(s, alone.Id, attempt);
            Assert.Equal((RecipientKind.Elder, DeliveryChannel.PhoneCall), (call.RecipientKind, call.Channel)); // the daughter is not called
            var reported = await ReportAsync(hotline, call.Id, false, "无人接听");
            var followUpDue = reported.GetProperty("followUpDueAt").GetDateTime().ToUniversalTime();
            if (attempt < 3)
            {
                Assert.InRange(followUpDue, DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(11)); // ten minutes later
                // Ten minutes pass.
                var id = reported.GetProperty("followUpReminderId").GetInt64();
                await s.WithDbAsync(db => db.Reminders.Where(r => r.Id == id).ExecuteUpdateAsync(x => x.SetProperty(r => r.DueAt, DateTime.UtcNow)));
            }
        }
        Assert.All(await s.WithDbAsync(db => db.Reminders.Where(r => r.ElderId == alone.Id && r.Kind == ReminderKind.CheckInCall).ToListAsync()),
            r => Assert.Equal("PhoneCall: 无人接听", r.LastError));
        var alert = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.ElderId == alone.Id && r.Kind == ReminderKind.CheckInUnanswered));
        Assert.Contains($"{alone.Name}今天的3次问候电话都没有接通", alert.Text);
        await WaitUntilSentAsync(s, [alert.Id]);
        var alerted = await s.WithDbAsync(db => db.Deliveries.Where(d => d.ReminderId == alert.Id).OrderBy(d => d.RecipientKind).ToListAsync());
        Assert.Equal(["Elder:ConsoleTask", $"FamilyMember:{daughter.Id}:WeChat"],
            alerted.Select(d => d.RecipientKind == RecipientKind.Elder ? $"{d.RecipientKind}:{d.Channel}" : $"{d.RecipientKind}:{d.RecipientId}:{d.Channel}"));
        Assert.Equal(1, await s.WithDbAsync(db => db.Reminders.CountAsync(r => r.ElderId == fine.Id && r.Kind == ReminderKind.CheckInCall)));
        // The station's visit is the last resort: if it fails too, nothing is sent to the elder who did not answer.
        var visit = await ReportAsync(await s.StaffClientAsync(StaffRole.Caregiver), alerted.Single(d => d.Channel == DeliveryChannel.ConsoleTask).Id, false, "上门未见到，已报警");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, visit.GetProperty("nextDelivery").ValueKind);
    }

    [Fact]
    public async Task Station_staff_put_an_elder_on_the_patrol_list_move_the_time_and_take_them_off_and_todays_call_follows()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync(ElderGroups.LivingAlone);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var nowInBeijing = TimeOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        // A time later today when the day allows it (the test may run late in the evening, Beijing time).
        var laterToday = nowInBeijing < new TimeOnly(20, 0) ? TimeOnly.FromTimeSpan(new TimeSpan(Math.Max(7, nowInBeijing.Hour + 1), 0, 0)) : (TimeOnly?)null;
        var at = laterToday ?? new TimeOnly(9, 30);
        Task<List<DateTime>> TodaysCallsAsync() => s.WithDbAsync(db =>
            db.Reminders.Where(r => r.ElderId == elder.Id && r.Kind == ReminderKind.CheckInCall && r.Status == ReminderStatus.Pending).Select(r => r.DueAt).ToListAsync());

        var put = await clerk.PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = at.ToString("HH:mm") }));
        Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(at, await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).Select(e => e.DailyCheckInAt).SingleAsync()));
        if (laterToday is not null) Assert.Equal([BusinessTime.ToUtc(today, at)], await TodaysCallsAsync()); // today's call, at that time

        var moved = at.AddMinutes(30);
        await clerk.PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = moved.ToString("HH:mm") }));
        if (laterToday is not null) Assert.Equal([BusinessTime.ToUtc(today, moved)], await TodaysCallsAsync()); // moved, not doubled

        await clerk.PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = (string?)null }));
        Assert.Null(await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).Select(e => e.DailyCheckInAt).SingleAsync()));
        Assert.Empty(await TodaysCallsAsync());

        await HttpAssert.ProblemAsync(await clerk.PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = "23:30" })), 400, "check-in-time-invalid");
        await HttpAssert.ProblemAsync(await clerk.PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = "25:00" })), 400, "malformed-request");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = "09:00" })), 403, "out-of-zone");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Caregiver)).PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = "09:00" })), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.HotlineClientAsync()).PutAsync($"/api/elders/{elder.Id}/daily-check-in", JsonContent(new { at = "09:00" })), 403, "forbidden");
        Assert.Null(await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).Select(e => e.DailyCheckInAt).SingleAsync())); // nothing changed by the refusals
    }

    [Fact]
    public async Task Reporting_an_outcome_refuses_what_it_cannot_accept()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var member = await s.AddFamilyAsync(elder.Id);
        var reminder = new Reminder { ElderId = elder.Id, Kind = ReminderKind.BookingCancelled, Text = "通知", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow };
        await s.WithDbAsync(async db => { db.Reminders.Add(reminder); await db.SaveChangesAsync(); });
        await WaitUntilSentAsync(s, [reminder.Id]);
        var delivery = await s.WithDbAsync(db => db.Deliveries.SingleAsync(d => d.ReminderId == reminder.Id));
        var hotline = await s.HotlineClientAsync();

        await HttpAssert.ProblemAsync(await (await s.FamilyClientAsync(member)).PostAsync($"/api/deliveries/{delivery.Id}/outcome", JsonContent(new { delivered = true })), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.FamilyClientAsync(member)).GetAsync("/api/deliveries?channel=PhoneCall"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await hotline.PostAsync("/api/deliveries/999999999/outcome", JsonContent(new { delivered = true })), 404, "delivery-not-found");
        await HttpAssert.ProblemAsync(await hotline.PostAsync($"/api/deliveries/{delivery.Id}/outcome", JsonContent(new { note = "没说结果" })), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await hotline.PostAsync($"/api/deliveries/{delivery.Id}/outcome", JsonContent(new { delivered = false, note = new string('长', 501) })), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await hotline.GetAsync("/api/deliveries?channel=Fax"), 400, "malformed-request");
        Assert.Equal(DeliveryStatus.Queued, (await s.WithDbAsync(db => db.Deliveries.SingleAsync(d => d.Id == delivery.Id))).Status); // nothing half-done

        Assert.Equal("Delivered", (await ReportAsync(hotline, delivery.Id, true, null)).GetProperty("delivery").GetProperty("status").GetString());
        await HttpAssert.ProblemAsync(await hotline.PostAsync($"/api/deliveries/{delivery.Id}/outcome", JsonContent(new { delivered = true })), 409, "delivery-closed");
    }

    [Fact]
    public async Task Elders_who_usually_order_lunch_and_have_not_today_are_reminded_once_before_the_cut_off()
    {
        var s = await CreateAsync(_factory);
        var today = BusinessTime.Today(TimeProvider.System);
        var usual = await s.AddElderAsync();
        var alreadyOrdered = await s.AddElderAsync();
        var occasional = await s.AddElderAsync();
        var standingOrder = await s.AddElderAsync();
        foreach (var (elder, meals) in new[] { (usual, 3), (alreadyOrdered, 4), (occasional, 1), (standingOrder, 5) })
            for (var i = 1; i <= meals; i++) await AddPastLunchAsync(s, elder.Id, today.AddDays(-i));
        // Today's lunch can be ordered for another half hour: inside the one-hour reminder lead.
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 20, date: today, cutoffAt: DateTime.UtcNow.AddMinutes(30), period: MealPeriod.Lunch);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await BookAsync(await s.HotlineClientAsync(), alreadyOrdered.Id, lunch.Id, mode: ServiceModes.Delivery)).StatusCode);
        await s.WithDbAsync(async db =>
        {
            db.MealPlans.Add(new MealPlan { ElderId = standingOrder.Id, Weekdays = 0b1111111_0, Period = MealPeriod.Lunch, MenuItemId = s.Lunch.Id, ResourceId = s.Kitchen1.Id,
                Mode = ServiceModes.Delivery, Status = MealPlanStatus.Active, Channel = Channel.Window, CreatedByKind = ActorKind.Staff, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });

        using (var scope = _factory.Services.CreateScope())
        {
            var reminders = scope.ServiceProvider.GetRequiredService<Eldercare.Api.Features.Meals.MealOrderReminders>();
            await reminders.RemindAsync(default);
            await reminders.RemindAsync(default); // the next quarter-hour run reminds nobody twice
        }

        var ours = new[] { usual.Id, alreadyOrdered.Id, occasional.Id, standingOrder.Id };
        var sent = await s.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => ours.Contains(r.ElderId) && r.Kind == ReminderKind.MealOrderDue).ToListAsync());
        var reminder = Assert.Single(sent);
        Assert.Equal(usual.Id, reminder.ElderId);
        Assert.Contains("今天的午餐还没有订", reminder.Text);
        Assert.Contains($"{BusinessTime.ToBusinessTime(lunch.CutoffAt):HH:mm}前", reminder.Text);
        await WaitUntilSentAsync(s, [reminder.Id]);
    }

    [Fact]
    public async Task A_booking_left_unpaid_past_its_payment_window_gives_its_place_back_and_the_elder_is_told()
    {
        var s = await CreateAsync(_factory);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2);
        var late = await s.AddElderAsync();
        var stillPaying = await s.AddElderAsync();
        var hotline = await s.HotlineClientAsync();
        var lateId = (await JsonAsync(await BookAsync(hotline, late.Id, slot.Id))).GetProperty("id").GetInt64();
        var payingId = (await JsonAsync(await BookAsync(hotline, stillPaying.Id, slot.Id))).GetProperty("id").GetInt64();
        // Both wait for payment (the payment flow makes such bookings): one opened 20 minutes ago, one 5 minutes ago.
        await s.WithDbAsync(async db =>
        {
            await db.Bookings.Where(b => b.Id == lateId).ExecuteUpdateAsync(x => x.SetProperty(b => b.Status, BookingStatus.Requested).SetProperty(b => b.CreatedAt, DateTime.UtcNow.AddMinutes(-20)));
            await db.Bookings.Where(b => b.Id == payingId).ExecuteUpdateAsync(x => x.SetProperty(b => b.Status, BookingStatus.Requested).SetProperty(b => b.CreatedAt, DateTime.UtcNow.AddMinutes(-5)));
        });

        using (var scope = _factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<Eldercare.Api.Features.Bookings.UnpaidBookings>().ReleaseExpiredAsync(default);

        var released = await JsonAsync(await hotline.GetAsync($"/api/bookings/{lateId}"));
        Assert.Equal("Cancelled", released.GetProperty("status").GetString());
        Assert.Equal(BookingStatus.Requested, (await s.WithDbAsync(db => db.Bookings.SingleAsync(b => b.Id == payingId))).Status);
        Assert.Equal(1, (await s.WithDbAsync(db => db.Slots.SingleAsync(x => x.Id == slot.Id))).Booked);
        var told = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == lateId && r.Kind == ReminderKind.UnpaidBookingReleased));
        Assert.Contains("没有在15分钟内付款", told.Text);
        Assert.Equal(0, await s.WithDbAsync(db => db.Reminders.CountAsync(r => r.BookingId == lateId && r.Status == ReminderStatus.Pending && Reminder.BeforeService.Contains(r.Kind))));
    }

    private static Task AddPastLunchAsync(Scenario s, int elderId, DateOnly day) => s.WithDbAsync(async db =>
    {
        var slot = await db.Slots.SingleOrDefaultAsync(x => x.CatalogItemId == s.Lunch.Id && x.ResourceId == s.Kitchen1.Id && x.Date == day);
        if (slot is null)
        {
            slot = new Slot { CatalogItemId = s.Lunch.Id, ResourceId = s.Kitchen1.Id, Date = day, Start = new(11, 0), End = new(13, 0), Capacity = 20,
                MealPeriod = MealPeriod.Lunch, CutoffAt = BusinessTime.ToUtc(day, new TimeOnly(9, 30)), Status = SlotStatus.Open };
            db.Slots.Add(slot);
        }
        slot.Booked++;
        await db.SaveChangesAsync();
        db.Bookings.Add(new Booking
        {
            ElderId = elderId, SlotId = slot.Id, CatalogItemId = s.Lunch.Id, CatalogVersion = s.Lunch.Version, Line = ServiceLine.Meals, ServiceName = s.Lunch.Name,
            ResourceId = s.Kitchen1.Id, Date = day, Start = slot.Start, End = slot.End, MealPeriod = MealPeriod.Lunch, Mode = ServiceModes.Delivery,
            Status = BookingStatus.Completed, Channel = Channel.MiniProgram, BookedByKind = ActorKind.Elder, BookedById = elderId,
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    });

    private static async Task<System.Text.Json.JsonElement> ReportAsync(HttpClient client, long deliveryId, bool delivered, string? note)
    {
        var response = await client.PostAsync($"/api/deliveries/{deliveryId}/outcome", JsonContent(new { delivered, note }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    /// <summary>The elder's check-in call delivery of the given try, once the dispatch lanes have handed it over.</summary>
    private static async Task<Delivery> CallDeliveryAsync(Scenario s, int elderId, int attempt)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var calls = await s.WithDbAsync(db => (from d in db.Deliveries
                                                   join r in db.Reminders on d.ReminderId equals r.Id
                                                   where r.ElderId == elderId && r.Kind == ReminderKind.CheckInCall
                                                   orderby d.Id
                                                   select d).ToListAsync());
            if (calls.Count >= attempt) return calls[attempt - 1];
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"check-in call {attempt} was not dispatched within 30 s");
            await Task.Delay(200);
        }
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, Json), System.Text.Encoding.UTF8, "application/json");

    /// <summary>Waits for the hub's dispatch lanes (every second here) to send these reminders.</summary>
    private static async Task WaitUntilSentAsync(Scenario s, List<long> ids)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await s.WithDbAsync(db => db.Reminders.CountAsync(r => ids.Contains(r.Id) && r.Status != ReminderStatus.Sent)) > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "reminders were not dispatched within 30 s");
            await Task.Delay(200);
        }
    }
}
