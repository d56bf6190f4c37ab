using System.Collections.Concurrent;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Hotline;
using HotlineBackend = Eldercare.Hotline.Backend.HotlineBackend;
using Eldercare.Hotline.Calls;
using Eldercare.Hotline.Telephony;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>A call as a script of keys (null: the caller pressed nothing in time); it records what was said and where the call went.</summary>
public sealed class FakeCall(string id, string? callerNumber, params char?[] keys) : ICall
{
    private readonly ConcurrentQueue<char?> _keys = new(keys);

    public string Id { get; } = id;
    public string? CallerNumber { get; } = callerNumber;
    public bool FromHomeTerminal { get; init; }
    public bool Ended => false;
    public List<string> Said { get; } = [];
    public List<string> Transfers { get; } = [];
    public string Everything => string.Join(" | ", Said);

    public Task SayAsync(string text, CancellationToken ct) { Said.Add(text); return Task.CompletedTask; }

    public Task<char?> ReadKeyAsync(TimeSpan timeout, CancellationToken ct) => Task.FromResult(_keys.TryDequeue(out var key) ? key : null);

    public Task TransferAsync(string target, CancellationToken ct) { Transfers.Add(target); return Task.CompletedTask; }

    public Task HangUpAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The inbound call flow against the real API (in-process) with a fake telephony adapter: every branch, timeouts, repeats, refusals.</summary>
public sealed class HotlineCallFlowTests
{
    private const string Key = ApiFactory.HotlineKey;
    private static readonly HotlineOptions Options = new() { ApiBaseUrl = "http://unused", AgentLine = "sip:agents@test", DutyLine = "sip:{0}@duty.test", ServiceKey = Key };

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
        return new World(api, s, elder, lunch, new HotlineBackend(api.CreateClient(), Key));
    }

    private static async Task<(FakeCall Call, InboundCallFlow Flow)> CallAsync(World w, string? callerNumber, params char?[] keys)
    {
        var call = new FakeCall(Guid.NewGuid().ToString("N"), callerNumber, keys);
        var flow = new InboundCallFlow(call, w.Backend, Options, TimeProvider.System, NullLogger.Instance);
        await flow.RunAsync(CancellationToken.None);
        return (call, flow);
    }

    [Fact]
    public async Task A_known_caller_books_lunch_hearing_the_time_and_price_in_words_and_the_booking_is_the_hotlines()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var (call, flow) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '0');

        Assert.Contains($"{w.Elder.Name}，您好。", call.Said);
        Assert.Contains(call.Said, t => t.Contains("后天上午十一点请按一"));
        Assert.Contains("已为您预约午餐，后天上午十一点，自付十五元。", call.Said);
        var booking = await w.S.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.ElderId == w.Elder.Id));
        Assert.Equal((Channel.Hotline, ActorKind.Ivr, w.Lunch.Id), (booking.Channel, booking.BookedByKind, booking.SlotId));
        Assert.Contains($"booked:{booking.Id}", flow.Path);
        Assert.Equal(["sip:agents@test"], call.Transfers); // 0 at the end: a person
    }

    [Fact]
    public async Task A_withheld_or_unknown_number_is_asked_for_the_ID_tail_and_three_wrong_tails_reach_a_person()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var tail = TestIds.TailOf(w.Elder).Select(c => (char?)c).ToArray();

        var (known, _) = await CallAsync(w, null, [.. tail, '0']);
        Assert.Contains("请输入您身份证号码的最后四位，最后一位是字母X的请按星号。", known.Said);
        Assert.Contains($"{w.Elder.Name}，您好。", known.Said);

        var (stranger, flow) = await CallAsync(w, "13800000001", '9', '9', '9', '9', '8', '8', '8', '8', '7', '7', '7', '7');
        Assert.Equal(3, stranger.Said.Count(t => t == "没有查到您的档案。"));
        Assert.Equal(["sip:agents@test"], stranger.Transfers);
        Assert.Equal("agent", flow.Path[^1]);
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
        Assert.Equal(["timeout", "timeout", "timeout", "agent"], flow.Path);
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
        Assert.Equal([$"sip:{w.S.Station1.DutyPhone}@duty.test"], emergency.Transfers); // the elder's own station's duty line
        Assert.Contains("emergency", flow.Path);

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
    public async Task A_one_key_terminal_call_is_greeted_by_name_and_put_through_to_a_person_or_with_9_to_the_duty_line()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var help = new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone) { FromHomeTerminal = true };
        var helpFlow = new InboundCallFlow(help, w.Backend, Options, TimeProvider.System, NullLogger.Instance);
        await helpFlow.RunAsync(CancellationToken.None);
        // No menu and no keys needed: the button was the request.
        Assert.Equal([Options.Prompts.Greeting, $"{w.Elder.Name}，您好。", Options.Prompts.Terminal, Options.Prompts.ToAgent], help.Said);
        Assert.Equal(["sip:agents@test"], help.Transfers);
        Assert.Equal(["terminal", "timeout", "agent"], helpFlow.Path);

        var sos = new FakeCall(Guid.NewGuid().ToString("N"), w.Elder.Phone, '9', '1') { FromHomeTerminal = true };
        await new InboundCallFlow(sos, w.Backend, Options, TimeProvider.System, NullLogger.Instance).RunAsync(CancellationToken.None);
        Assert.Equal([$"sip:{w.S.Station1.DutyPhone}@duty.test"], sos.Transfers);
        Assert.True(await w.S.WithDbAsync(db => db.EmergencyCases.AnyAsync(x => x.ElderId == w.Elder.Id && x.CallId == sos.Id)));

        // A terminal whose number is on no file still reaches a person at once.
        var unknown = new FakeCall(Guid.NewGuid().ToString("N"), "01099999999", '9') { FromHomeTerminal = true };
        await new InboundCallFlow(unknown, w.Backend, Options, TimeProvider.System, NullLogger.Instance).RunAsync(CancellationToken.None);
        Assert.Equal(["sip:agents@test"], unknown.Transfers);
        var logged = await w.S.WithDbAsync(db => db.CallRecords.AsNoTracking().SingleAsync(c => c.CallId == help.Id));
        Assert.Equal((w.Elder.Id, "terminal,timeout,agent"), (logged.ElderId!.Value, logged.Path));
    }

    [Fact]
    public async Task Every_call_is_logged_with_caller_elder_keys_and_outcome_for_staff_to_read()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        var (call, _) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '0');

        var agent = await w.S.ClientForAsync(await w.S.AddStaffAccountAsync(StaffRole.HotlineAgent, null));
        var log = await (await agent.GetAsync($"/api/hotline/calls?elderId={w.Elder.Id}")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var line = Assert.Single(log.EnumerateArray());
        Assert.Equal((call.Id, w.Elder.Phone, "Inbound"), (line.GetProperty("callId").GetString(), line.GetProperty("number").GetString(), line.GetProperty("direction").GetString()));
        Assert.StartsWith("1,1,1,booked:", line.GetProperty("path").GetString());
        Assert.Matches("^booked:[0-9]+,agent$", line.GetProperty("outcome").GetString());
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

        var (refused, flow) = await CallAsync(w, w.Elder.Phone, '1', '1', '1', '0');
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

        var first = await w.Backend.BookAsync(w.Elder.Id, w.Lunch.Id, "call-1:1", CancellationToken.None);
        var again = await w.Backend.BookAsync(w.Elder.Id, w.Lunch.Id, "call-1:1", CancellationToken.None); // the answer was lost; the step is sent again

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, await w.S.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == w.Elder.Id)));
    }
}
