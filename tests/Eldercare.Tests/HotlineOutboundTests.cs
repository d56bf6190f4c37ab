using System.Net.Http.Json;
using System.Collections.Concurrent;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Hotline;
using Eldercare.Hotline.Calls;
using Eldercare.Hotline.Telephony;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static Eldercare.Tests.Support.Scenario;
using HotlineBackend = Eldercare.Hotline.Backend.HotlineBackend;
using HotlineBackendSetup = Eldercare.Hotline.Backend.HotlineBackendSetup;

namespace Eldercare.Tests;

/// <summary>
/// The hotline's calls out against the real API (in-process, its reminders engine dispatching every second) with a
/// fake telephony adapter: each elder's phone is a script (not answered, or answered and keys pressed).
/// </summary>
public sealed class HotlineOutboundTests
{
    private const string Key = ApiFactory.HotlineKey;

    private static readonly HotlineOptions Options = new()
    {
        ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = "sip:agents@test", OutboundRoute = "sip:{0}@gateway.test",
        CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue, OutboundLines = 5,
    };

    /// <summary>Phones by number: each call to one is answered by a new scripted call, or not answered at all.</summary>
    private sealed class FakeDialler(Dictionary<string, Func<DialResult>> phones) : IDialler
    {
        public ConcurrentQueue<string> Dialled { get; } = new();
        /// <summary>Numbers on a call with the hotline right now.</summary>
        public ConcurrentDictionary<string, bool> OnCall { get; } = new();

        public bool IsOnCall(string number) => OnCall.ContainsKey(number);

        public Task<DialResult> DialAsync(string address, string number, TimeSpan ringFor, CancellationToken ct)
        {
            Dialled.Enqueue(address);
            return Task.FromResult(phones[number]());
        }
    }

    private static ApiFactory Api(TestDatabase database) =>
        new(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key, ["Reminders:DispatchInterval"] = "00:00:01" });

    private static async Task UntilQueuedAsync(Scenario s, int count, params int[] elderIds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await s.WithDbAsync(db => db.Deliveries.CountAsync(d => elderIds.Contains(d.ElderId) && d.Channel == DeliveryChannel.PhoneCall && d.Status == DeliveryStatus.Queued)) < count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the calls were not queued within 30 s");
            await Task.Delay(200);
        }
    }

    /// <summary>News for each elder, due now: elders without WeChat hear it by phone, so each is queued as a call.</summary>
    private static async Task QueueCallsAsync(Scenario s, ReminderKind kind, string text, params Elder[] elders)
    {
        await s.WithDbAsync(async db =>
        {
            db.Reminders.AddRange(elders.Select(e => new Reminder { ElderId = e.Id, Kind = kind, Text = text, CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        });
        await UntilQueuedAsync(s, elders.Length, elders.Select(e => e.Id).ToArray());
    }

    [Fact]
    public async Task Each_queued_call_is_made_once_and_what_the_elder_did_is_reported_to_the_hub()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var (away, fine, help, deaf, again) = (await s.AddElderAsync(), await s.AddElderAsync(), await s.AddElderAsync(), await s.AddElderAsync(), await s.AddElderAsync());
        var callAt = TimeOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3)));
        const string moved = "您明天上午九点的助浴改到十点，地点不变。";
        await s.WithDbAsync(async db =>
        {
            var onList = new[] { away.Id, fine.Id, help.Id };
            await db.Elders.Where(e => onList.Contains(e.Id)).ExecuteUpdateAsync(x => x.SetProperty(e => e.DailyCheckInAt, callAt));
            // Elders without WeChat hear other news by phone.
            db.Reminders.AddRange(new[] { deaf, again }.Select(e => new Reminder { ElderId = e.Id, Kind = ReminderKind.BookingMoved, Text = moved, CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        });
        using (var scope = api.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CheckInCalls>().ScheduleDayAsync(DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3))), default);
        await UntilQueuedAsync(s, 5, away.Id, fine.Id, help.Id, deaf.Id, again.Id);

        var calls = new ConcurrentDictionary<string, FakeCall>();
        DialResult Answers(Elder elder, params char?[] keys) => new(calls[elder.Phone] = new FakeCall(Guid.NewGuid().ToString("N"), elder.Phone, keys), null);
        var dialler = new FakeDialler(new()
        {
            [away.Phone] = () => DialResult.NotAnswered("无人接听"),
            [fine.Phone] = () => Answers(fine, '1'),
            [help.Phone] = () => Answers(help, '0'),
            [deaf.Phone] = () => Answers(deaf),
            [again.Phone] = () => Answers(again, '*', '1'),
        });
        var outbound = new OutboundDialler(dialler, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), Options, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(5, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        Assert.Equal(0, await outbound.StartQueuedCallsAsync(CancellationToken.None)); // a call in progress (or made) is not made again
        await outbound.IdleAsync();

        Assert.Equal(new[] { away, fine, help, deaf, again }.Select(e => $"sip:{e.Phone}@gateway.test").Order(), dialler.Dialled.Order());
        var outcomes = await s.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.Channel == DeliveryChannel.PhoneCall)
            .ToDictionaryAsync(d => d.ElderId, d => (d.Status, d.FailReason)));
        Assert.Equal((DeliveryStatus.Failed, "无人接听"), outcomes[away.Id]);
        Assert.Equal((DeliveryStatus.Delivered, null), outcomes[fine.Id]);
        Assert.Equal((DeliveryStatus.Delivered, null), outcomes[help.Id]);
        Assert.Equal((DeliveryStatus.Queued, "接通但没有按键"), outcomes[deaf.Id]); // to be tried again
        Assert.Equal((DeliveryStatus.Delivered, null), outcomes[again.Id]);

        // The check-in call's own words ask for 1; a reminder is read after the greeting and asks for a key too.
        Assert.Equal([CheckInCalls.CallText, Options.Prompts.CallOutGoodbye], calls[fine.Phone].Said);
        Assert.Equal(["sip:agents@test"], calls[help.Phone].Transfers);
        var reminder = Options.Prompts.Greeting + moved + Options.Prompts.ReminderKeys;
        Assert.Equal([reminder, reminder, Options.Prompts.CallOutGoodbye], calls[again.Phone].Said); // * heard it again
        Assert.Equal([reminder, Options.Prompts.NoKey + reminder, Options.Prompts.NoKey + reminder, Options.Prompts.CallOutNoKey], calls[deaf.Phone].Said);

        // The hub takes it from there: the unanswered check-in and the unconfirmed reminder are both called again in ten minutes.
        var retry = await s.WithDbAsync(db => db.Reminders.SingleAsync(r => r.ElderId == away.Id && r.Status == ReminderStatus.Pending));
        Assert.Equal(ReminderKind.CheckInCall, retry.Kind);
        Assert.InRange(retry.DueAt, DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(11));
        var recall = await s.WithDbAsync(db => db.Deliveries.SingleAsync(d => d.ElderId == deaf.Id));
        Assert.Equal((DeliveryChannel.PhoneCall, 1), (recall.Channel, recall.Tries));
        Assert.InRange(recall.NotBefore!.Value, DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(11));
        Assert.Equal(0, await outbound.StartQueuedCallsAsync(CancellationToken.None)); // nothing is due yet

        // Every call is in the call log, with its keys and how it ended.
        var log = await s.WithDbAsync(db => db.CallRecords.AsNoTracking().Where(c => c.Direction == CallDirection.Outbound).ToDictionaryAsync(c => c.ElderId!.Value, c => (c.Path, c.Outcome)));
        Assert.Equal(("", "not-answered:无人接听"), log[away.Id]);
        Assert.Equal(("1", "answered"), log[fine.Id]);
        Assert.Equal(("0,person:agent:3s", "answered,person:agent:3s"), log[help.Id]);
        // "0 需要帮助" in a check-in call is a call for help: the station has a task, even though a person answered.
        var request = await s.WithDbAsync(db => db.HelpRequests.AsNoTracking().SingleAsync(h => h.ElderId == help.Id));
        Assert.Equal((HelpSource.CheckIn, true, (DateTime?)null), (request.Source, request.PersonReached, request.CallBackAt));
        var task = await s.WithDbAsync(db => db.Reminders.AsNoTracking().SingleAsync(r => r.ElderId == help.Id && r.Kind == ReminderKind.HelpRequested));
        Assert.Matches("的问候电话里按了0，需要帮助，已接通工作人员，请跟进。$", task.Text);
        Assert.Equal(("timeout,timeout,timeout", "not-delivered:接通但没有按键"), log[deaf.Id]);
        Assert.Equal(("*,1", "answered"), log[again.Id]);
    }

    [Fact]
    public async Task Only_as_many_calls_start_as_there_are_lines_out_and_the_rest_wait_for_the_next_look()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elders = new List<Elder>();
        for (var i = 0; i < 3; i++) elders.Add(await s.AddElderAsync());
        await QueueCallsAsync(s, ReminderKind.BookingCancelled, "您的预约已取消。", [.. elders]);
        var ringing = new TaskCompletionSource<DialResult>();
        var dialler = new FakeDialler(elders.ToDictionary(e => e.Phone, _ => (Func<DialResult>)(() => ringing.Task.Result)));
        var twoLines = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue, OutboundLines = 2 };
        var outbound = new OutboundDialler(dialler, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), twoLines, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(2, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        Assert.Equal(0, await outbound.StartQueuedCallsAsync(CancellationToken.None)); // both lines busy
        ringing.SetResult(DialResult.NotAnswered("无人接听"));
        await outbound.IdleAsync();
        Assert.Equal(1, await outbound.StartQueuedCallsAsync(CancellationToken.None)); // the third, now a line is free
        await outbound.IdleAsync();
        Assert.Equal(3, dialler.Dialled.Distinct().Count());
    }

    [Fact]
    public async Task Outside_calling_hours_nobody_is_called_until_morning()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        await QueueCallsAsync(s, ReminderKind.BookingCancelled, "您的预约已取消。", elder);
        var dialler = new FakeDialler(new() { [elder.Phone] = () => DialResult.NotAnswered("无人接听") });
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);
        var hours = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, CallsFrom = new(8, 0), CallsUntil = new(20, 30) };
        var night = new TestClock(new DateTimeOffset(2026, 12, 1, 14, 0, 0, TimeSpan.Zero)); // 22:00 in Beijing
        var morning = new TestClock(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero)); // 08:00

        Assert.Equal(0, await new OutboundDialler(dialler, backend, hours, night, NullLogger.Instance).StartQueuedCallsAsync(CancellationToken.None));
        Assert.Empty(dialler.Dialled);
        var atEight = new OutboundDialler(dialler, backend, hours, morning, NullLogger.Instance);
        Assert.Equal(1, await atEight.StartQueuedCallsAsync(CancellationToken.None));
        await atEight.IdleAsync();
        Assert.Single(dialler.Dialled);
    }

    [Fact]
    public async Task A_call_back_puts_the_elder_through_to_a_person_and_an_elder_on_the_line_with_the_hotline_is_not_rung()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var (waiting, talking) = (await s.AddElderAsync(), await s.AddElderAsync());
        await s.WithDbAsync(async db =>
        {
            db.Reminders.Add(new Reminder { ElderId = waiting.Id, Kind = ReminderKind.CallBack, Text = Eldercare.Api.Features.Hotline.HelpRequests.CallBackText, CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow });
            db.Reminders.Add(new Reminder { ElderId = talking.Id, Kind = ReminderKind.BookingMoved, Text = "您的预约改期了。", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await UntilQueuedAsync(s, 2, waiting.Id, talking.Id);
        var calls = new ConcurrentDictionary<string, FakeCall>();
        var dialler = new FakeDialler(new()
        {
            [waiting.Phone] = () => new(calls[waiting.Phone] = new FakeCall(Guid.NewGuid().ToString("N"), waiting.Phone), null),
            [talking.Phone] = () => new(calls[talking.Phone] = new FakeCall(Guid.NewGuid().ToString("N"), talking.Phone, '1'), null),
        });
        dialler.OnCall[talking.Phone] = true; // still on the phone with the hotline
        var outbound = new OutboundDialler(dialler, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), Options, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(1, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        await outbound.IdleAsync();
        Assert.Equal([$"sip:{waiting.Phone}@gateway.test"], dialler.Dialled);
        // The call back says why it rings and goes straight to a person, without a key.
        Assert.Equal([Options.Prompts.Greeting + Eldercare.Api.Features.Hotline.HelpRequests.CallBackText], calls[waiting.Phone].Said);
        Assert.Equal(["sip:agents@test"], calls[waiting.Phone].Transfers);
        Assert.Equal(DeliveryStatus.Delivered, await s.WithDbAsync(db => db.Deliveries.Where(d => d.ElderId == waiting.Id).Select(d => d.Status).SingleAsync()));

        dialler.OnCall.Clear(); // the elder hung up: their call comes at the next look
        Assert.Equal(1, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        await outbound.IdleAsync();
        Assert.Equal(DeliveryStatus.Delivered, await s.WithDbAsync(db => db.Deliveries.Where(d => d.ElderId == talking.Id).Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_booking_made_on_the_hotline_is_not_confirmed_by_a_second_call_and_a_cancelled_booking_is_not_called_about()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync(); // no WeChat: news comes by phone
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var later = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch, date: s.Day.AddDays(1));
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);

        var heard = await backend.BookAsync(elder.Id, lunch.Id, "AtCentre", "call-x:1", CancellationToken.None); // the elder heard it on that call
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var atWindow = (await JsonAsync(await BookAsync(clerk, elder.Id, later.Id, mode: ServiceModes.AtCentre))).GetProperty("id").GetInt64();
        await UntilQueuedAsync(s, 1, elder.Id);
        await Task.Delay(2500); // two more dispatch rounds: the hotline booking's confirmation would be queued by now
        var queued = await s.WithDbAsync(db => (from d in db.Deliveries
                                               join r in db.Reminders on d.ReminderId equals r.Id
                                               where d.ElderId == elder.Id && d.Channel == DeliveryChannel.PhoneCall
                                               select new { d.Status, r.BookingId }).ToListAsync());
        Assert.Equal([(DeliveryStatus.Queued, (long?)atWindow)], queued.Select(q => (q.Status, q.BookingId)));
        Assert.True(await s.WithDbAsync(db => db.Reminders.AnyAsync(r => r.BookingId == heard.Id && r.Kind == ReminderKind.BookingConfirmed)));

        // Cancelled before the hotline called: the call is never made.
        Assert.True((await clerk.PostAsJsonAsync($"/api/bookings/{atWindow}/cancel", new { reason = "老人改主意了" })).IsSuccessStatusCode);
        var withdrawn = await s.WithDbAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.ElderId == elder.Id && d.Channel == DeliveryChannel.PhoneCall));
        Assert.Equal((DeliveryStatus.Failed, "预约已不再进行，不再打电话"), (withdrawn.Status, withdrawn.FailReason));
        var dialler = new FakeDialler(new() { [elder.Phone] = () => DialResult.NotAnswered("无人接听") });
        var outbound = new OutboundDialler(dialler, backend, Options, TimeProvider.System, NullLogger.Instance);
        Assert.Equal(0, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        Assert.Empty(dialler.Dialled);
    }

    [Fact]
    public async Task The_dialler_keeps_going_while_the_API_answers_with_an_HTML_error_page_and_calls_once_it_is_back()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        await QueueCallsAsync(s, ReminderKind.BookingMoved, "您的预约改期了。", elder);
        var proxy = new FlakyProxy(api.Server.CreateHandler()) { Failing = "/api/deliveries" };
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, TimeSpan.FromSeconds(1), () => proxy);
        var dialler = new FakeDialler(new() { [elder.Phone] = () => new(new FakeCall(Guid.NewGuid().ToString("N"), elder.Phone, '1'), null) });
        var options = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = "sip:agents@test", OutboundRoute = "sip:{0}@gateway.test",
            CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue, QueuePoll = TimeSpan.FromSeconds(1) };
        using var stop = new CancellationTokenSource();
        var running = new OutboundDialler(dialler, backend, options, TimeProvider.System, NullLogger.Instance).RunAsync(stop.Token);

        await Task.Delay(3000);
        Assert.False(running.IsCompleted); // the 502 pages did not stop it
        Assert.Empty(dialler.Dialled);
        proxy.Failing = null;
        for (var i = 0; i < 400 && dialler.Dialled.IsEmpty; i++) await Task.Delay(100);
        Assert.Single(dialler.Dialled);
        stop.Cancel();
        await running;
    }

    [Fact]
    public async Task An_emergency_calls_each_emergency_contact_who_confirms_with_1_and_the_case_shows_who_was_reached()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var (son, daughter) = ("139" + Random.Shared.Next(10_000_000, 99_999_999), "137" + Random.Shared.Next(10_000_000, 99_999_999));
        await s.WithDbAsync(async db =>
        {
            db.EmergencyContacts.AddRange(new EmergencyContact { ElderId = elder.Id, Name = "王大", Relation = "儿子", Phone = son },
                new EmergencyContact { ElderId = elder.Id, Name = "王二", Relation = "女儿", Phone = daughter });
            await db.SaveChangesAsync();
        });
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);
        var options = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = "sip:agents@test", DutyLine = "sip:{0}@duty.test",
            DistrictDutyLine = "", OutboundRoute = "sip:{0}@gateway.test", CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue, OutboundLines = 5 };

        // The elder presses 9 and 1: the case opens, the duty phone answers.
        var sos = new FakeCall(Guid.NewGuid().ToString("N"), elder.Phone, '9', '1');
        await new InboundCallFlow(sos, backend, options, TimeProvider.System, NullLogger.Instance).RunAsync(CancellationToken.None);
        Assert.Equal([$"sip:{s.Station1.DutyPhone}@duty.test"], sos.Transfers);

        // Both contacts are queued for a call; the son presses 1, the daughter's phone rings out.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await s.WithDbAsync(db => db.Deliveries.CountAsync(d => d.RecipientKind == RecipientKind.EmergencyContact && d.Channel == DeliveryChannel.PhoneCall)) < 2)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the contacts were not queued");
            await Task.Delay(200);
        }
        var calls = new ConcurrentDictionary<string, FakeCall>();
        var dialler = new FakeDialler(new()
        {
            [son] = () => new(calls[son] = new FakeCall(Guid.NewGuid().ToString("N"), son, '1'), null),
            [daughter] = () => DialResult.NotAnswered("无人接听"),
        });
        var outbound = new OutboundDialler(dialler, backend, options, TimeProvider.System, NullLogger.Instance);
        Assert.Equal(2, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        await outbound.IdleAsync();
        Assert.Equal(new[] { son, daughter }.Select(n => $"sip:{n}@gateway.test").Order(), dialler.Dialled.Order());
        Assert.StartsWith(options.Prompts.Greeting + elder.Name, calls[son].Said[0]);
        Assert.EndsWith(options.Prompts.EmergencyContactKeys, calls[son].Said[0]);

        var station = await s.StaffClientAsync(StaffRole.Clerk);
        var cases = await (await station.GetAsync("/api/emergencies")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var opened = Assert.Single(cases.EnumerateArray());
        Assert.Equal("emergency,person:duty:3s", opened.GetProperty("reached").GetString());
        var contactCalls = opened.GetProperty("calls").EnumerateArray().ToDictionary(c => c.GetProperty("who").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Delivered", contactCalls["王大（儿子）"]);
        Assert.Equal("Queued", contactCalls["王二（女儿）"]); // rung out: tried again in a while
    }

    [Fact]
    public async Task Nine_in_a_check_in_call_opens_an_emergency_and_rings_the_duty_phone_first()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        await QueueCallsAsync(s, ReminderKind.CheckInCall, CheckInCalls.CallText, elder);
        FakeCall? answered = null;
        var dialler = new FakeDialler(new() { [elder.Phone] = () => new(answered = new FakeCall(Guid.NewGuid().ToString("N"), elder.Phone, '9'), null) });
        var options = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = "sip:agents@test", DutyLine = "sip:{0}@duty.test",
            OutboundRoute = "sip:{0}@gateway.test", CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue };
        var outbound = new OutboundDialler(dialler, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), options, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(1, await outbound.StartQueuedCallsAsync(CancellationToken.None));
        await outbound.IdleAsync();

        Assert.Equal($"sip:{s.Station1.DutyPhone}@duty.test", answered!.Transfers[0]);
        Assert.Contains(options.Prompts.EmergencyTransfer, answered.Said);
        Assert.True(await s.WithDbAsync(db => db.EmergencyCases.AnyAsync(x => x.ElderId == elder.Id && x.CallId == answered.Id && x.Status == EmergencyStatus.Open)));
        Assert.Equal(DeliveryStatus.Delivered, await s.WithDbAsync(db => db.Deliveries.Where(d => d.ElderId == elder.Id && d.Channel == DeliveryChannel.PhoneCall).Select(d => d.Status).SingleAsync()));
    }
}
