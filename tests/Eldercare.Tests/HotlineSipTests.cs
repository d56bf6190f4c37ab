using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
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

namespace Eldercare.Tests;

/// <summary>
/// The hotline on real SIP over loopback: its lines on baresip, and a second baresip as the caller, dialling in and
/// pressing keys (RFC 4733 DTMF), against the API in-process.
/// </summary>
public sealed class HotlineSipTests : IAsyncLifetime
{
    private const string Key = ApiFactory.HotlineKey;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "eldercare-sip-" + Guid.NewGuid().ToString("N"));
    private readonly List<Process> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited)) p.Kill();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A baresip that places calls, as a softphone would, with its control port for the test to drive.</summary>
    private async Task<(BaresipControl Control, ConcurrentQueue<JsonElement> Events)> CallerAsync(string number)
    {
        var (control, events, _) = await PhonesAsync((number, false));
        return (control, events);
    }

    /// <summary>
    /// Elders' phones on one baresip (one account per number, on one SIP port, as behind a gateway): they place calls
    /// and ring when called; a phone that answers picks up at once, the others ring until the caller gives up.
    /// </summary>
    private async Task<(BaresipControl Control, ConcurrentQueue<JsonElement> Events, int SipPort)> PhonesAsync(params (string Number, bool Answers)[] phones)
    {
        var folder = Path.Combine(_folder, "phones-" + Guid.NewGuid().ToString("N")[..8]);
        var (sip, control) = (BaresipProcess.FreeSipPort(), ApiProcess.FreePort());
        BaresipProcess.Configure(folder, "127.0.0.1", sip, control,
            phones.Select(p => BaresipProcess.Account($"sip:{p.Number}@127.0.0.1:{sip}", p.Answers, "phone", codecs: "PCMU")));
        var (process, connected) = await BaresipProcess.StartAsync(folder, control, CancellationToken.None);
        _processes.Add(process);
        var events = new ConcurrentQueue<JsonElement>();
        connected.Events += events.Enqueue;
        return (connected, events, sip);
    }

    private static async Task UntilAsync(Func<Task<bool>> done, string what, int seconds = 30)
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            if (await done()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"waited {seconds} s for {what}");
    }

    [Fact]
    public async Task A_caller_books_lunch_with_keys_on_a_real_SIP_call_hears_it_booked_and_is_put_through_to_a_person()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key });
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var number = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, number)));
        await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var backend = new HotlineBackend(api.CreateClient(), Key);
        var agents = $"sip:agents@127.0.0.1:{ApiProcess.FreePort()}";
        var options = new HotlineOptions { ApiBaseUrl = "http://unused", AgentLine = agents, ServiceKey = Key, KeyTimeout = TimeSpan.FromSeconds(6) };
        var flows = new ConcurrentQueue<InboundCallFlow>();
        var settings = new BaresipSettings(2, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"));
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), async call =>
        {
            var flow = new InboundCallFlow(call, backend, options, TimeProvider.System, NullLogger.Instance);
            flows.Enqueue(flow);
            await flow.RunAsync(CancellationToken.None);
        }, NullLogger.Instance, CancellationToken.None);

        var (caller, events) = await CallerAsync(number);
        await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(events.Any(e => e.GetProperty("type").GetString() == "CALL_ESTABLISHED")), "the hotline to answer");
        foreach (var key in "1110") // meals, the first time offered, confirm; then a person
        {
            await caller.CommandAsync("sndcode", key.ToString(), CancellationToken.None);
            await Task.Delay(400);
        }

        await UntilAsync(async () => await s.WithDbAsync(db => db.Bookings.AnyAsync(b => b.ElderId == elder.Id)), "the booking");
        var booking = await s.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.ElderId == elder.Id));
        Assert.Equal(Channel.Hotline, booking.Channel);
        await UntilAsync(() => Task.FromResult(flows.TryPeek(out var f) && f.Path.Contains("agent")), "the transfer to a person");
        Assert.Contains($"booked:{booking.Id}", flows.Single().Path);
        // The caller's phone was asked to call the agents (a SIP REFER), and the hotline's leg ended.
        await UntilAsync(() => Task.FromResult(events.Any(e => e.GetProperty("type").GetString() == "TRANSFER" && e.GetProperty("param").GetString() == agents)), "the REFER to the agents");
        await UntilAsync(() => Task.FromResult(events.Any(e => e.GetProperty("type").GetString() == "CALL_CLOSED")), "the call to end");
        var logged = await s.WithDbAsync(db => db.CallRecords.AsNoTracking().SingleAsync(c => c.ElderId == elder.Id));
        Assert.Equal((number, $"booked:{booking.Id},agent"), (logged.Number, logged.Outcome));
        await caller.DisposeAsync();
    }

    [Fact]
    public async Task A_check_in_call_that_rings_out_unanswered_is_tried_again_then_family_and_station_are_alerted_and_an_elder_who_answers_presses_1()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key, ["Reminders:DispatchInterval"] = "00:00:01" });
        var s = await CreateAsync(api);
        var away = await s.AddElderAsync(ElderGroups.LivingAlone);
        var fine = await s.AddElderAsync(ElderGroups.LivingAlone);
        var daughter = await s.AddFamilyAsync(away.Id);
        var callAt = TimeOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3)));
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == away.Id || e.Id == fine.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.DailyCheckInAt, callAt));
            await db.FamilyMembers.Where(f => f.Id == daughter.Id).ExecuteUpdateAsync(x => x.SetProperty(f => f.WeChatOpenId, "o-daughter-" + daughter.Id));
        });
        using (var scope = api.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CheckInCalls>().ScheduleDayAsync(DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow.AddMinutes(-3))), default);

        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), OutboundLines: 2);
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), _ => Task.CompletedTask,
            NullLogger.Instance, CancellationToken.None);
        var (phones, rang, gateway) = await PhonesAsync((away.Phone, false), (fine.Phone, true));
        var options = new HotlineOptions
        {
            ApiBaseUrl = "http://unused", ServiceKey = Key, OutboundRoute = $"sip:{{0}}@127.0.0.1:{gateway}", RingTimeout = TimeSpan.FromSeconds(3),
            QueuePoll = TimeSpan.FromSeconds(1), CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue,
        };
        using var stop = new CancellationTokenSource();
        var dialler = new OutboundDialler(lines, new HotlineBackend(api.CreateClient(), Key), options, TimeProvider.System, NullLogger.Instance);
        var running = dialler.RunAsync(stop.Token);

        bool PhoneEvent(JsonElement e, string type, string number) =>
            e.GetProperty("type").GetString() == type && e.GetProperty("accountaor").GetString()!.Contains(number, StringComparison.Ordinal);
        // The elder who is at home picks up, hears the call and presses 1.
        await UntilAsync(() => Task.FromResult(rang.Any(e => PhoneEvent(e, "CALL_ESTABLISHED", fine.Phone))), "the elder at home to be called");
        await Task.Delay(1000);
        await phones.CommandAsync("uafind", $"sip:{fine.Phone}@127.0.0.1:{gateway}", CancellationToken.None);
        await phones.CommandAsync("sndcode", "1", CancellationToken.None);
        await UntilAsync(async () => await s.WithDbAsync(db => db.Deliveries.AnyAsync(d => d.ElderId == fine.Id && d.Status == DeliveryStatus.Delivered)), "the answered call to be reported");

        // The other elder's phone rings out three times, ten minutes apart.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await UntilAsync(() => Task.FromResult(rang.Count(e => PhoneEvent(e, "CALL_INCOMING", away.Phone)) == attempt), $"ring {attempt}");
            await UntilAsync(() => Task.FromResult(rang.Count(e => PhoneEvent(e, "CALL_CLOSED", away.Phone)) == attempt), $"ring {attempt} to stop");
            await UntilAsync(async () => await s.WithDbAsync(db => db.Deliveries.CountAsync(d => d.ElderId == away.Id && d.Status == DeliveryStatus.Failed)) == attempt,
                $"unanswered call {attempt} to be reported");
            if (attempt < 3) // ten minutes pass
                await s.WithDbAsync(db => db.Reminders.Where(r => r.ElderId == away.Id && r.Status == ReminderStatus.Pending).ExecuteUpdateAsync(x => x.SetProperty(r => r.DueAt, DateTime.UtcNow)));
        }
        await UntilAsync(async () => await s.WithDbAsync(db => db.Deliveries.CountAsync(d => d.ElderId == away.Id && d.Channel != DeliveryChannel.PhoneCall)) == 2, "the escalation");
        var escalated = await s.WithDbAsync(db => (from d in db.Deliveries
                                                  join r in db.Reminders on d.ReminderId equals r.Id
                                                  where d.ElderId == away.Id && d.Channel != DeliveryChannel.PhoneCall
                                                  select new { r.Kind, d.Channel, d.RecipientKind, d.Text }).ToListAsync());
        Assert.Equal([(ReminderKind.CheckInUnanswered, DeliveryChannel.WeChat, RecipientKind.FamilyMember), (ReminderKind.CheckInUnanswered, DeliveryChannel.ConsoleTask, RecipientKind.Elder)],
            escalated.Select(x => (x.Kind, x.Channel, x.RecipientKind)).Order());
        Assert.All(escalated, x => Assert.Contains("3次问候电话都没有接通", x.Text));
        var failed = await s.WithDbAsync(db => db.Deliveries.Where(d => d.ElderId == away.Id && d.Channel == DeliveryChannel.PhoneCall).Select(d => d.FailReason).ToListAsync());
        Assert.Equal(["无人接听", "无人接听", "无人接听"], failed);

        // The call log has every call out, answered or not.
        var log = await s.WithDbAsync(db => db.CallRecords.AsNoTracking().Where(c => c.ElderId == away.Id || c.ElderId == fine.Id).ToListAsync());
        Assert.Equal(["answered"], log.Where(c => c.ElderId == fine.Id).Select(c => c.Outcome));
        Assert.Equal(3, log.Count(c => c.ElderId == away.Id && c.Outcome == "not-answered:无人接听" && c.Direction == CallDirection.Outbound));
        stop.Cancel();
        await running;
        await phones.DisposeAsync();
    }

    [Fact]
    public async Task A_line_waiting_for_a_key_after_a_recording_shorter_than_the_wait_keeps_the_call()
    {
        // baresip ends a call when its audio file runs out; a recording has no trailing silence of its own.
        const string text = "请按1。";
        var recordings = Path.Combine(_folder, "recordings");
        Directory.CreateDirectory(recordings);
        var prompts = new PromptAudio(Path.Combine(_folder, "prompts"), recordings, 180);
        var rendered = await prompts.FileForAsync(text, CancellationToken.None);
        var trim = Process.Start("sox", [rendered.Path, Path.Combine(recordings, prompts.FileNameFor(text)), "trim", "0", "1"])!;
        await trim.WaitForExitAsync();
        var waited = new TaskCompletionSource<(bool Ended, char? Key)>();
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), TerminalLines: 1);
        var fromTerminal = new TaskCompletionSource<bool>();
        await using var lines = await BaresipLines.StartAsync(settings, prompts, async call =>
        {
            fromTerminal.TrySetResult(call.FromHomeTerminal);
            await call.SayAsync(text, CancellationToken.None);
            var key = await call.ReadKeyAsync(TimeSpan.FromSeconds(4), CancellationToken.None);
            waited.TrySetResult((call.Ended, key));
        }, NullLogger.Instance, CancellationToken.None);
        var (caller, events) = await CallerAsync("13900000002");

        await caller.CommandAsync("dial", lines.TerminalAddressOf(1), CancellationToken.None); // as a one-key terminal would
        var (ended, key) = await waited.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(await fromTerminal.Task);
        Assert.Equal((false, (char?)null), (ended, key)); // the whole wait, and the call still up
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "CALL_CLOSED");
        await caller.DisposeAsync();
    }

    [Fact]
    public async Task When_baresip_dies_the_call_in_progress_ends_and_the_lines_answer_again()
    {
        var answered = new ConcurrentQueue<ICall>();
        var ended = new ConcurrentQueue<string>();
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"));
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), async call =>
        {
            answered.Enqueue(call);
            // A caller who never presses anything: the flow would wait; baresip's end must end the wait.
            while (await call.ReadKeyAsync(TimeSpan.FromSeconds(1), CancellationToken.None) is null && !call.Ended) { }
            ended.Enqueue(call.Id);
        }, NullLogger.Instance, CancellationToken.None);
        var (caller, events) = await CallerAsync("13900000001");

        await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(answered.Count == 1), "the first call");
        lines.KillBaresip();
        await UntilAsync(() => Task.FromResult(ended.Count == 1), "the call in progress to end");

        // Started again: the same line answers the next call.
        await UntilAsync(async () =>
        {
            try { await caller.CommandAsync("hangup", null, CancellationToken.None); } catch (InvalidOperationException) { }
            try { await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None); } catch (InvalidOperationException) { }
            await Task.Delay(1000);
            return answered.Count >= 2;
        }, "a call after the restart");
        await caller.DisposeAsync();
    }
}
