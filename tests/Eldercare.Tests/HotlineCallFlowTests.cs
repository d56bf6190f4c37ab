using System.Collections.Concurrent;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Hotline;
using HotlineBackend = Eldercare.Hotline.Backend.HotlineBackend;
using HotlineBackendSetup = Eldercare.Hotline.Backend.HotlineBackendSetup;
using BackendUnavailable = Eldercare.Hotline.Backend.BackendUnavailable;
using Eldercare.Hotline.Calls;
using Eldercare.Hotline.Telephony;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// A call as a script of keys (null: the caller pressed nothing in time); it records what was said and whom it was put
/// through to. The people rung answer unless <see cref="Answers"/> says not; <see cref="PressWhileSaying"/> makes a key
/// arrive while a prompt is being said (a stuck or early key), which a question that must be heard to the end drops.
/// A person rung while the caller still has a key to press rings (for up to a second) until that key stops the ringing.
/// </summary>
public sealed class FakeCall(string id, string? callerNumber, params char?[] keys) : ICall
{
    private readonly ConcurrentQueue<char?> _keys = new(keys);
    private readonly ConcurrentQueue<char> _pressedMeanwhile = new();

    public string Id { get; } = id;
    public string? CallerNumber { get; } = callerNumber;
    public bool FromHomeTerminal { get; init; }
    public bool Ended => false;
    public List<string> Said { get; } = [];
    /// <summary>Every person rung, in order, answered or not.</summary>
    public List<string> Transfers { get; } = [];
    /// <summary>What was said and who was rung, in the order the flow did it ("say ...", "ring ...").</summary>
    public List<string> Timeline { get; } = [];
    public Func<string, bool> Answers { get; init; } = _ => true;
    public Func<string, char?> PressWhileSaying { get; init; } = _ => null;
    public string Everything => string.Join(" | ", Said);

    public Task SayAsync(string text, CancellationToken ct)
    {
        Said.Add(text);
        Timeline.Add("say " + text);
        if (PressWhileSaying(text) is { } key) _pressedMeanwhile.Enqueue(key);
        return Task.CompletedTask;
    }

    public Task SayWholeAsync(string text, CancellationToken ct) => SayAsync(text, ct);

    public void DiscardKeys() => _pressedMeanwhile.Clear();

    public Task<char?> ReadKeyAsync(TimeSpan timeout, CancellationToken ct) =>
        Task.FromResult(_pressedMeanwhile.TryDequeue(out var early) ? early : _keys.TryDequeue(out var key) ? key : null);

    public Task<Connection> ConnectAsync(string target, TimeSpan ringFor, CancellationToken ct, Task? stopRinging = null)
    {
        Transfers.Add(target);
        Timeline.Add("ring " + target);
        return stopRinging is not null && !_keys.IsEmpty ? RingUntilStoppedAsync(target, ringFor, stopRinging) : Task.FromResult(Answer(target, ringFor));
    }

    private Connection Answer(string target, TimeSpan ringFor) =>
        Answers(target) ? new Connection(true, null, TimeSpan.FromSeconds(3)) : new Connection(false, "无人接听", ringFor);

    private async Task<Connection> RingUntilStoppedAsync(string target, TimeSpan ringFor, Task stopRinging) =>
        await Task.WhenAny(stopRinging, Task.Delay(1000)) == stopRinging ? new Connection(false, "来电改按其他键", TimeSpan.FromSeconds(1)) : Answer(target, ringFor);

    public Task HangUpAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The inbound call flow against the real API (in-process) with a fake telephony adapter: every branch, timeouts, repeats, refusals.</summary>
public sealed class HotlineCallFlowTests
{
    private const string Key = ApiFactory.HotlineKey;
    private static readonly HotlineOptions Options = new()
    {
        ApiBaseUrl = "http://unused", AgentLine = "sip:agents@test", DutyLine = "sip:{0}@duty.test", DistrictDutyLine = "sip:district@duty.test", ServiceKey = Key,
    };

    private sealed record World(ApiFactory Api, Scenario S, Elder Elder, Slot Lunch, HotlineBackend Backend) : IDisposable
    {
        public void Dispose() => Api.Dispose();
    }

    private static async Task<World> WorldAsync(TestDatabase database)
    {
        var api = new ApiFactory(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key });
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        elder.Phone = "137" + Random.Shared.Next(10_000_000, 99_999_999);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, elder.Phone)));
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        return new World(api, s, elder, lunch, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler));
    }

    private static Task<(FakeCall Call, InboundCallFlow Flow)> CallAsync(World w, string? callerNumber, params char?[] keys) =>
        RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), callerNumber, keys));

    private static async Task<(FakeCall Call, InboundCallFlow Flow)> RunAsync(World w, FakeCall call, HotlineBackend? backend = null)
    {
        var flow = new InboundCallFlow(call, backend ?? w.Backend, Options, TimeProvider.System, NullLogger.Instance);
        await flow.RunAsync(CancellationToken.None);
        return (call, flow);
    }

    [Fact]
    public async Task A_known_caller_books_lunch_hearing_the_time_and_price_in_words_and_the_booking_is_the_hotlines()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var (call, flow) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '1', '0');

        Assert.Contains($"{w.Elder.Name}，您好。", call.Said);
        Assert.Contains(call.Said, t => t.Contains("后天上午十一点，一站餐桌，请按一"));
        Assert.Contains("到餐桌吃请按一。送餐到家请按二。", call.Said);
        Assert.Contains("您要预约午餐，后天上午十一点，一站餐桌，到餐桌吃，自付十五元。确认请按1，重新选择请按2。", call.Said);
        Assert.Contains("已为您预约午餐，后天上午十一点，到餐桌吃，自付十五元。", call.Said);
        var booking = await w.S.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.ElderId == w.Elder.Id));
        Assert.Equal((Channel.Hotline, ActorKind.Ivr, w.Lunch.Id, ServiceModes.AtCentre), (booking.Channel, booking.BookedByKind, booking.SlotId, booking.Mode));
        Assert.Contains($"booked:{booking.Id}", flow.Path);
        Assert.Equal(["sip:agents@test"], call.Transfers); // 0 at the end: a person
    }

    [Fact]
    public async Task A_withheld_or_unknown_number_is_asked_for_the_ID_tail_and_three_wrong_tails_reach_a_person()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var tail = TestIds.TailOf(w.Elder).Select(c => (char?)c).ToArray();

        var (known, _) = await CallAsync(w, null, [.. tail, '1', '0']);
        Assert.Contains("请输入您身份证号码的最后四位，最后一位是字母X的请按星号。", known.Said);
        Assert.Contains($"您是{w.Elder.Name}吗？是请按1，不是请按2。", known.Said);
        Assert.Contains($"{w.Elder.Name}，您好。", known.Said);

        // A caller ID that is no number is treated as withheld, and a number on no file with the right tail finds the elder too.
        foreach (var odd in new[] { "anonymous", "unknown" })
        {
            var (asked, _) = await CallAsync(w, odd, [.. tail, '1', '0']);
            Assert.Contains($"{w.Elder.Name}，您好。", asked.Said);
        }
        // From a new number: found by the tail and the name, and offered to be known by that number next time.
        var (fromNew, newFlow) = await CallAsync(w, "13800000009", [.. tail, '1', '1', '0']);
        Assert.Contains(Options.Prompts.OfferRemember, fromNew.Said);
        Assert.Contains("number-remembered", newFlow.Path);
        Assert.Equal("13800000009", await w.S.WithDbAsync(db => db.Elders.Where(e => e.Id == w.Elder.Id).Select(e => e.SecondPhone).SingleAsync()));
        var (again, _) = await CallAsync(w, "13800000009", '0');
        Assert.DoesNotContain(Options.Prompts.AskIdTail, again.Said);
        Assert.Contains($"{w.Elder.Name}，您好。", again.Said);
        // A third number finds the two phones taken: the caller is told where to change them.
        var (third, _) = await CallAsync(w, "13800000010", [.. tail, '1', '1', '0']);
        Assert.Contains("您已经登记了两个电话，要换电话请到驿站窗口办理", third.Said);
        // Not the name the caller expected: not identified.
        var (denied, _) = await CallAsync(w, null, [.. tail, '2', '0']);
        Assert.Contains("没有查到您的档案。", denied.Said);
        Assert.DoesNotContain($"{w.Elder.Name}，您好。", denied.Said);

        var (stranger, flow) = await CallAsync(w, "13800000001", '9', '9', '9', '9', '8', '8', '8', '8', '7', '7', '7', '7');
        Assert.Equal(3, stranger.Said.Count(t => t == "没有查到您的档案。"));
        Assert.Equal(["sip:agents@test"], stranger.Transfers);
        Assert.Equal("person:agent:3s", flow.Path[^1]);
    }

    [Fact]
    public async Task Star_repeats_zero_reaches_a_person_and_three_missed_keys_do_too()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var menu = Options.Prompts.Menu;

        var (repeat, _) = await CallAsync(w, w.Elder.Phone, '*', '0');
        Assert.Equal(2, repeat.Said.Count(t => t == menu)); // said again, as it was
        Assert.Equal(["sip:agents@test"], repeat.Transfers);

        var (silent, flow) = await CallAsync(w, w.Elder.Phone);
        Assert.Contains("没有听到按键。" + menu, silent.Said);
        Assert.Equal(["timeout", "timeout", "timeout", "person:agent:3s"], flow.Path);
        Assert.Equal(["sip:agents@test"], silent.Transfers);

        var (wrong, _) = await CallAsync(w, w.Elder.Phone, '7', '0');
        Assert.Contains("按键不对。" + menu, wrong.Said);
        Assert.Equal(0, await w.S.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == w.Elder.Id)));
    }

    [Fact]
    public async Task Nine_then_one_puts_an_emergency_through_to_the_duty_line_and_two_goes_back()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var (mistake, _) = await CallAsync(w, w.Elder.Phone, '9', '2', '0');
        Assert.Equal(["sip:agents@test"], mistake.Transfers);

        var (emergency, flow) = await CallAsync(w, w.Elder.Phone, '9', '1');
        Assert.Equal([$"sip:{w.S.Station1.DutyPhone}@duty.test"], emergency.Transfers); // the elder's own station's duty line first
        Assert.Contains("emergency", flow.Path);
        Assert.Contains(Options.Prompts.EmergencyTransfer, emergency.Said); // said once the case is open, and only what is true
        Assert.DoesNotContain(emergency.Said, t => t.Contains("家人"));

        // A case is open for the station, which has a task in its list; the family hear of it too.
        var station = await w.S.StaffClientAsync(StaffRole.Clerk);
        var cases = await (await station.GetAsync("/api/emergencies?status=Open")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var opened = Assert.Single(cases.EnumerateArray());
        Assert.Equal(w.Elder.Id, opened.GetProperty("elderId").GetInt32());
        Assert.True(await w.S.WithDbAsync(db => db.Reminders.AnyAsync(r => r.ElderId == w.Elder.Id && r.Kind == ReminderKind.Emergency)));
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id)).PostAsJsonAsync(
            $"/api/emergencies/{opened.GetProperty("id").GetInt64()}/close", new { note = "x" }), 403, "forbidden");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await station.PostAsJsonAsync($"/api/emergencies/{opened.GetProperty("id").GetInt64()}/close", new { note = "已上门，老人摔倒，已送医" })).StatusCode);
        await HttpAssert.ProblemAsync(await station.PostAsJsonAsync($"/api/emergencies/{opened.GetProperty("id").GetInt64()}/close", new { note = "again" }), 409, "emergency-closed");
    }

    [Fact]
    public async Task A_one_key_terminal_call_rings_a_person_at_once_while_greeting_by_name_and_9_meanwhile_rings_the_duty_line_instead()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var help = new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone) { FromHomeTerminal = true };
        var helpFlow = new InboundCallFlow(help, w.Backend, Options, TimeProvider.System, NullLogger.Instance);
        await helpFlow.RunAsync(CancellationToken.None);
        // No menu and no keys needed: the button was the request. The agents ring first; the words play while they ring.
        Assert.Equal(["ring sip:agents@test", $"say {w.Elder.Name}，您好。{Options.Prompts.Terminal}"], help.Timeline);
        Assert.Equal(["terminal", "person:agent:3s"], helpFlow.Path);

        var sos = new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '9') { FromHomeTerminal = true }; // the terminal's 9 needs no confirming
        var sosFlow = new InboundCallFlow(sos, w.Backend, Options, TimeProvider.System, NullLogger.Instance);
        await sosFlow.RunAsync(CancellationToken.None);
        // 9 while the agents ring stops that ringing: the emergency goes to the duty phone.
        Assert.Equal(["sip:agents@test", $"sip:{w.S.Station1.DutyPhone}@duty.test"], sos.Transfers);
        Assert.Equal(["terminal", "stopped:agent", "9", "emergency", "person:duty:3s"], sosFlow.Path);
        Assert.True(await w.S.WithDbAsync(db => db.EmergencyCases.AnyAsync(x => x.ElderId == w.Elder.Id && x.CallId == sos.Id)));

        // A terminal whose number is on no file still reaches a person at once.
        var unknown = new FakeCall(Guid.NewGuid().ToString("N"), "01099999999", '9') { FromHomeTerminal = true };
        await new InboundCallFlow(unknown, w.Backend, Options, TimeProvider.System, NullLogger.Instance).RunAsync(CancellationToken.None);
        Assert.Equal(["sip:agents@test"], unknown.Transfers);
        var logged = await w.S.WithDbAsync(db => db.CallRecords.AsNoTracking().SingleAsync(c => c.CallId == help.Id));
        Assert.Equal((w.Elder.Id, "terminal,person:agent:3s", "person:agent:3s"), (logged.ElderId!.Value, logged.Path, logged.Outcome));
    }

    [Fact]
    public async Task Every_call_is_logged_with_caller_elder_keys_and_outcome_for_staff_to_read()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var (call, _) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '1', '0');

        var agent = await w.S.ClientForAsync(await w.S.AddStaffAccountAsync(StaffRole.HotlineAgent, null));
        var log = await (await agent.GetAsync($"/api/hotline/calls?elderId={w.Elder.Id}")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var line = Assert.Single(log.EnumerateArray());
        Assert.Equal((call.Id, w.Elder.Phone, "Inbound"), (line.GetProperty("callId").GetString(), line.GetProperty("number").GetString(), line.GetProperty("direction").GetString()));
        Assert.StartsWith("1,1,1,1,booked:", line.GetProperty("path").GetString());
        Assert.Matches("^booked:[0-9]+,person:agent:3s$", line.GetProperty("outcome").GetString());
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Caregiver)).GetAsync($"/api/hotline/calls?elderId={w.Elder.Id}"), 403, "forbidden");
        Assert.Equal(w.Elder.Name, line.GetProperty("elderName").GetString());
        // Station staff see their own zone's calls; the other station's staff do not.
        var zone = await (await (await w.S.StaffClientAsync(StaffRole.Clerk)).GetAsync("/api/hotline/calls")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Contains(zone.EnumerateArray(), c => c.GetProperty("callId").GetString() == call.Id);
        var otherZone = await (await (await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id)).GetAsync("/api/hotline/calls")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.DoesNotContain(otherZone.EnumerateArray(), c => c.GetProperty("elderId").ValueKind == System.Text.Json.JsonValueKind.Number && c.GetProperty("elderId").GetInt32() == w.Elder.Id);
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id)).GetAsync($"/api/hotline/calls?elderId={w.Elder.Id}"), 403, "out-of-zone");
    }

    [Fact]
    public async Task A_refusal_is_said_in_the_APIs_words_and_a_booking_can_be_heard_and_cancelled()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        var other = await w.S.AddSlotAsync(w.S.Lunch, w.S.Kitchen1, new(11, 30), new(12, 30), capacity: 10, period: MealPeriod.Lunch);
        var booked = await BookAsync(clerk, w.Elder.Id, other.Id, mode: ServiceModes.AtCentre); // lunch that day already
        Assert.True(booked.IsSuccessStatusCode);

        var (refused, flow) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '1', '0');
        Assert.Contains("这个时间已经有别的预约了", refused.Said);
        Assert.Contains("refused:elder-busy", flow.Path);

        var (cancel, cancelFlow) = await CallAsync(w, w.Elder.Phone, '5', '1', '1', '0');
        Assert.Contains(cancel.Said, t => t.Contains("后天上午十一点半，午餐，还没付款。取消这个预约请按一。"));
        Assert.Contains("已经取消。", cancel.Said);
        Assert.Equal(BookingStatus.Cancelled, await w.S.WithDbAsync(db => db.Bookings.Where(b => b.SlotId == other.Id).Select(b => b.Status).SingleAsync()));
        Assert.Contains(cancelFlow.Path, p => p.StartsWith("cancelled:"));
    }

    [Fact]
    public async Task A_call_step_sent_twice_books_once()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var first = await w.Backend.BookAsync(w.Elder.Id, w.Lunch.Id, "AtCentre", "call-1:1", CancellationToken.None);
        var again = await w.Backend.BookAsync(w.Elder.Id, w.Lunch.Id, "AtCentre", "call-1:1", CancellationToken.None); // the answer was lost; the step is sent again

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, await w.S.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == w.Elder.Id)));
    }

    [Fact]
    public async Task Nobody_at_the_agents_goes_on_to_the_duty_phone_and_nobody_at_all_is_said_plainly_with_a_task_and_a_call_back()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var duty = $"sip:{w.S.Station1.DutyPhone}@duty.test";

        var (second, flow) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '0') { Answers = to => to != "sip:agents@test" });
        Assert.Equal(["sip:agents@test", duty], second.Transfers);
        Assert.Contains("热线工作人员没有接听，正在为您转接驿站值班电话，请继续稍等。", second.Said);
        Assert.Equal(["0", "missed:agent:无人接听", "person:duty:3s"], flow.Path);

        var (nobody, nobodyFlow) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '0') { Answers = _ => false });
        Assert.Equal(["sip:agents@test", duty, "sip:district@duty.test"], nobody.Transfers);
        Assert.Equal("现在没有工作人员能接听。我们已经记下了，大约五分钟后给您回电话，请保持电话畅通。有紧急情况请直接拨打120。再见。", nobody.Said[^1]);
        var request = await w.S.WithDbAsync(db => db.HelpRequests.AsNoTracking().SingleAsync(h => h.CallId == nobody.Id));
        Assert.Equal((w.Elder.Id, HelpSource.Inbound, false), (request.ElderId, request.Source, request.PersonReached));
        Assert.InRange(request.CallBackAt!.Value, DateTime.UtcNow.AddMinutes(4), DateTime.UtcNow.AddMinutes(6));
        var reminders = await w.S.WithDbAsync(db => db.Reminders.AsNoTracking().Where(r => r.ElderId == w.Elder.Id).ToListAsync());
        Assert.Contains(reminders, r => r.Kind == ReminderKind.HelpRequested && r.Text.Contains("拨打热线找工作人员，没有工作人员接听。热线会在") && r.DueAt <= DateTime.UtcNow);
        Assert.Contains(reminders, r => r.Kind == ReminderKind.CallBack && r.DueAt == request.CallBackAt);
        var logged = await w.S.WithDbAsync(db => db.CallRecords.AsNoTracking().SingleAsync(c => c.CallId == nobody.Id));
        Assert.Equal("no-person,callback", logged.Outcome);
        Assert.Contains("missed:district:无人接听", nobodyFlow.Path);
        // The station's task list has it within a dispatch round.
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        for (var i = 0; i < 100 && !(await clerk.GetStringAsync($"/api/deliveries?channel=ConsoleTask&elderId={w.Elder.Id}")).Contains("拨打热线找工作人员"); i++) await Task.Delay(200);
        Assert.Contains("拨打热线找工作人员", await clerk.GetStringAsync($"/api/deliveries?channel=ConsoleTask&elderId={w.Elder.Id}"));

        // A caller the hub does not know cannot be called back by it: told to call again, nothing recorded.
        var (stranger, _) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), null, '1', '1', '1', '1', '2', '2', '2', '2', '3', '3', '3', '3') { Answers = _ => false });
        Assert.Equal(Options.Prompts.NobodyCallAgain, stranger.Said[^1]);
        Assert.Equal(["sip:agents@test", "sip:district@duty.test"], stranger.Transfers); // no station known, so no duty phone
        Assert.False(await w.S.WithDbAsync(db => db.HelpRequests.AnyAsync(h => h.CallId == stranger.Id)));
    }

    [Fact]
    public async Task A_failing_API_is_asked_again_only_where_repeating_is_safe_and_once_it_keeps_failing_it_is_not_asked_at_all()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var proxy = new FlakyProxy(w.Api.Server.CreateHandler());
        var backend = HotlineBackendSetup.Create(w.Api.Server.BaseAddress, Key, TimeSpan.FromSeconds(1), () => proxy);
        await backend.CatalogAsync(w.Elder.Id, CancellationToken.None); // logged in while the API is fine
        var booking = await w.Backend.BookAsync(w.Elder.Id, w.Lunch.Id, "AtCentre", "call-9:1", CancellationToken.None);

        async Task<int> TriesOf(string path, Func<Task> request)
        {
            proxy.Failing = path;
            var before = proxy.Failed;
            await Assert.ThrowsAsync<BackendUnavailable>(request);
            proxy.Failing = null;
            return proxy.Failed - before;
        }

        Assert.Equal(2, await TriesOf("/api/catalog", () => backend.CatalogAsync(w.Elder.Id, CancellationToken.None))); // a read
        Assert.Equal(2, await TriesOf("/api/bookings", () => backend.BookAsync(w.Elder.Id, w.Lunch.Id, "AtCentre", "call-9:2", CancellationToken.None))); // keyed
        Assert.Equal(2, await TriesOf("/api/hotline/identify", () => backend.IdentifyAsync(w.Elder.Phone, null, CancellationToken.None))); // changes nothing
        Assert.Equal(1, await TriesOf("/api/bookings", () => backend.CancelAsync(booking.Id, CancellationToken.None))); // not safe to send twice
        Assert.Equal("Confirmed", (await w.Backend.BookingsAsync(w.Elder.Id, w.Lunch.Date, CancellationToken.None)).Single(b => b.Id == booking.Id).Status);

        // Ten failures in a row: the circuit opens, and the next caller is not kept waiting on a dead API.
        proxy.Failing = "/api/catalog";
        for (var i = 0; i < 5; i++) await Assert.ThrowsAsync<BackendUnavailable>(() => backend.CatalogAsync(w.Elder.Id, CancellationToken.None));
        var asked = proxy.Failed;
        var open = await Assert.ThrowsAsync<BackendUnavailable>(() => backend.CatalogAsync(w.Elder.Id, CancellationToken.None));
        Assert.Equal(asked, proxy.Failed);
        Assert.Contains("keeps failing", open.Message);
        proxy.Failing = null;
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // the circuit's break
        Assert.NotEmpty(await backend.CatalogAsync(w.Elder.Id, CancellationToken.None));
    }

    [Fact]
    public async Task When_the_API_answers_with_a_proxys_HTML_page_or_not_at_all_the_caller_is_put_through_to_a_person()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var proxy = new FlakyProxy(w.Api.Server.CreateHandler());
        var backend = HotlineBackendSetup.Create(w.Api.Server.BaseAddress, Key, TimeSpan.FromSeconds(1), () => proxy);

        proxy.Failing = "/api/catalog";
        var (html, htmlFlow) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '1'), backend);
        Assert.Contains(Options.Prompts.SystemTrouble, html.Said);
        Assert.Equal(["sip:agents@test"], html.Transfers);
        Assert.Contains("api-down", htmlFlow.Path);

        proxy.Stall = true;
        var (stalled, _) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '1'), backend);
        Assert.Contains(Options.Prompts.SystemTrouble, stalled.Said);
        Assert.Equal(["sip:agents@test"], stalled.Transfers);

        // An emergency the hub cannot take: the caller hears only that a person is being rung, and the case reaches the hub once it answers again.
        proxy.Failing = "/api/hotline/emergencies";
        var (sos, _) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '9', '1'), backend);
        Assert.Contains(Options.Prompts.EmergencyNotYetRecorded, sos.Said);
        Assert.DoesNotContain(Options.Prompts.EmergencyTransfer, sos.Said);
        Assert.Equal([$"sip:{w.S.Station1.DutyPhone}@duty.test"], sos.Transfers); // the duty phone known from the caller ID: rung first all the same
        proxy.Failing = null;
        for (var i = 0; i < 300 && !await w.S.WithDbAsync(db => db.EmergencyCases.AnyAsync(x => x.CallId == sos.Id)); i++) await Task.Delay(100);
        Assert.Equal(1, await w.S.WithDbAsync(db => db.EmergencyCases.CountAsync(x => x.CallId == sos.Id)));
    }

    [Fact]
    public async Task A_key_held_down_or_pressed_before_the_confirm_question_ends_does_not_book()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        // A stuck 1: pressed while every prompt plays, the confirmation included.
        var (stuck, flow) = await RunAsync(w, new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '1', '1', '1')
        {
            PressWhileSaying = text => text.Contains("确认请按1") ? '1' : null,
        });
        Assert.Contains(stuck.Said, t => t.StartsWith("您要预约午餐", StringComparison.Ordinal));
        Assert.DoesNotContain(flow.Path, p => p.StartsWith("booked:", StringComparison.Ordinal));
        Assert.Equal(0, await w.S.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == w.Elder.Id)));
    }

    [Fact]
    public async Task Times_are_read_with_where_they_are_the_elders_own_station_first()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var elsewhere = await w.S.WithDbAsync(async db =>
        {
            var kitchen = new ServiceResource { StationId = w.S.Station2.Id, Kind = ResourceKind.MealPoint, Name = "二站餐桌" };
            db.ServiceResources.Add(kitchen);
            await db.SaveChangesAsync();
            return kitchen;
        });
        await w.S.AddSlotAsync(w.S.Lunch, elsewhere, new(10, 30), new(12, 0), capacity: 10, period: MealPeriod.Lunch); // earlier, at the other station

        var (call, _) = await CallAsync(w, w.Elder.Phone, '1', '2', '2', '1', '0');

        Assert.Contains("后天上午十一点，一站餐桌，请按一。后天上午十点半，二站餐桌，请按二。", call.Said);
        Assert.Contains("您要预约午餐，后天上午十点半，二站餐桌，送餐到家，自付十五元。确认请按1，重新选择请按2。", call.Said);
        Assert.Contains("上门和送餐服务只由老人所在片区的驿站提供", call.Said); // the API's refusal, in its words
        var (dineIn, flow) = await CallAsync(w, w.Elder.Phone, '1', '2', '1', '1', '0');
        Assert.Contains("已为您预约午餐，后天上午十点半，到餐桌吃，自付十五元。", dineIn.Said);
        var booking = await w.S.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.ElderId == w.Elder.Id));
        Assert.Equal((elsewhere.Id, ServiceModes.AtCentre), (await w.S.WithDbAsync(db => db.Slots.Where(x => x.Id == booking.SlotId).Select(x => x.ResourceId).SingleAsync()), booking.Mode));
        Assert.Contains($"booked:{booking.Id}", flow.Path);
    }

    [Fact]
    public async Task A_caller_who_stays_in_the_menus_past_the_longest_call_hears_a_goodbye()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var clock = new TestClock(DateTimeOffset.UtcNow);
        // Every prompt takes a minute; the caller presses * again and again.
        var call = new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, Enumerable.Repeat<char?>('*', 30).ToArray())
        {
            PressWhileSaying = _ => { clock.Set(clock.GetUtcNow().AddMinutes(1)); return null; },
        };
        var flow = new InboundCallFlow(call, w.Backend, Options, clock, NullLogger.Instance);
        await flow.RunAsync(CancellationToken.None);

        Assert.Equal(Options.Prompts.TooLong, call.Said[^1]);
        Assert.InRange(call.Said.Count(t => t == Options.Prompts.Menu), 8, 11); // about ten minutes of menus
        Assert.Empty(call.Transfers);
        Assert.Equal("too-long", await w.S.WithDbAsync(db => db.CallRecords.Where(c => c.CallId == call.Id).Select(c => c.Outcome).SingleAsync()));
    }

    /// <summary>Notes the correlation id each request to the API carries.</summary>
    private sealed class HeaderLog(HttpMessageHandler api) : DelegatingHandler(api)
    {
        public ConcurrentQueue<(string Path, string? CorrelationId)> Seen { get; } = new();
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Seen.Enqueue((request.RequestUri!.AbsolutePath, request.Headers.TryGetValues("X-Correlation-Id", out var v) ? v.Single() : null));
            return base.SendAsync(request, ct);
        }
    }

    [Fact]
    public async Task Every_request_a_call_makes_carries_the_call_id_as_its_correlation_id()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var log = new HeaderLog(w.Api.Server.CreateHandler());
        var backend = HotlineBackendSetup.Create(w.Api.Server.BaseAddress, Key, primary: () => log);

        var (call, _) = await RunAsync(w, new FakeCall("call-" + Guid.NewGuid().ToString("N")[..8], w.Elder.Phone, '1', '1', '1', '1', '0'), backend);

        Assert.Contains(log.Seen, r => r.Path == "/api/auth/service");
        Assert.Contains(log.Seen, r => r.Path == "/api/bookings");
        Assert.Contains(log.Seen, r => r.Path == "/api/hotline/calls");
        Assert.All(log.Seen, r => Assert.Equal(call.Id, r.CorrelationId));
    }
}
