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
using HotlineBackendSetup = Eldercare.Hotline.Backend.HotlineBackendSetup;

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

    /// <summary>A WAV of a steady tone, for a phone to play: what the other end hears is then easy to tell from silence.</summary>
    private string Tone()
    {
        var path = Path.Combine(_folder, "tone.wav");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(_folder);
        using var sox = Process.Start("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", path, "synth", "120", "sine", "440"])!;
        sox.WaitForExit();
        return path;
    }

    /// <summary>Waits until the phone has finished writing its recordings (their sizes stop changing), at most 5 s.</summary>
    private static async Task RecordingWrittenAsync(string recordings)
    {
        long Size() => Directory.GetFiles(recordings, "*.wav").Sum(f => new FileInfo(f).Length);
        var last = -1L;
        for (var i = 0; i < 10 && Size() is var now && now != last; i++)
        {
            last = now;
            await Task.Delay(500);
        }
    }

    private static double[] LatestRecording(string recordings)
    {
        var file = Directory.GetFiles(recordings, "*-dec.wav").OrderBy(File.GetLastWriteTimeUtc).LastOrDefault();
        if (file is null) return [];
        var bytes = File.ReadAllBytes(file);
        return Enumerable.Range(0, (bytes.Length - 44) / 2).Select(i => (double)BitConverter.ToInt16(bytes, 44 + 2 * i)).ToArray();
    }

    private static bool HeardToneAtEnd(string recordings, double seconds)
    {
        var samples = LatestRecording(recordings);
        // What the caller heard last: the end of the recording less the silence after the other side went (on a loaded
        // machine the hang-up can come a few seconds after the person's last sound) and the hang-up itself.
        var end = samples.Length - 1600;
        while (end > 160 && Math.Sqrt(samples[(end - 160)..end].Sum(x => x * x) / 160) < 300) end -= 160;
        return IsTone(samples[Math.Max(0, end - (int)(8000 * seconds))..Math.Max(0, end)]);
    }

    /// <summary>How far into the phone's latest call the people's tone was first heard, in seconds (null: never).</summary>
    private static double? FirstToneAt(string recordings)
    {
        var samples = LatestRecording(recordings);
        for (var start = 0; start + 4000 <= samples.Length; start += 800)
            if (IsTone(samples[start..(start + 4000)])) return start / 8000.0;
        return null;
    }

    /// <summary>Whether a stretch of 8 kHz audio is the 440 Hz tone: a Goertzel filter's share of its energy, near 1 for the tone, small for speech or silence.</summary>
    private static bool IsTone(double[] window)
    {
        if (window.Length < 800) return false;
        var energy = window.Sum(x => x * x);
        if (Math.Sqrt(energy / window.Length) < 300) return false; // silence
        var coefficient = 2 * Math.Cos(2 * Math.PI * 440 / 8000);
        double s1 = 0, s2 = 0;
        foreach (var x in window) (s1, s2) = (x + coefficient * s1 - s2, s1);
        var power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return power / (window.Length / 2.0 * energy) > 0.3;
    }

    /// <summary>An elder's phone whose calls' audio is recorded into <paramref name="recordings"/> (what the elder heard).</summary>
    private async Task<(BaresipControl Control, ConcurrentQueue<JsonElement> Events)> RecordingPhoneAsync(string number, string recordings)
    {
        Directory.CreateDirectory(recordings);
        var folder = Path.Combine(_folder, "elder-phone-" + Guid.NewGuid().ToString("N")[..8]);
        var (sip, controlPort) = (BaresipProcess.FreeSipPort(), ApiProcess.FreePort());
        BaresipProcess.Configure(folder, "127.0.0.1", sip, controlPort,
            [BaresipProcess.Account($"sip:{number}@127.0.0.1:{sip}", false, "phone", codecs: "PCMU")], recordInto: recordings);
        var (process, control) = await BaresipProcess.StartAsync(folder, controlPort, CancellationToken.None);
        _processes.Add(process);
        var events = new ConcurrentQueue<JsonElement>();
        control.Events += events.Enqueue;
        return (control, events);
    }

    private static bool Is(JsonElement e, string type, string? account = null) =>
        e.GetProperty("type").GetString() == type && (account is null || e.GetProperty("accountaor").GetString()!.Contains(account, StringComparison.Ordinal));

    /// <summary>Phones with a person at each (their own baresip, as a desk phone or an agent's softphone), playing a tone when they speak.</summary>
    private async Task<(BaresipControl Control, ConcurrentQueue<JsonElement> Events, int SipPort)> PeopleAsync(params (string User, bool Answers)[] people)
    {
        var folder = Path.Combine(_folder, "people-" + Guid.NewGuid().ToString("N")[..8]);
        var (sip, controlPort) = (BaresipProcess.FreeSipPort(), ApiProcess.FreePort());
        var tone = Tone();
        BaresipProcess.Configure(folder, "127.0.0.1", sip, controlPort,
            people.Select(p => BaresipProcess.Account($"sip:{p.User}@127.0.0.1:{sip}", p.Answers, "person", codecs: "PCMU", plays: tone)));
        var (process, control) = await BaresipProcess.StartAsync(folder, controlPort, CancellationToken.None);
        _processes.Add(process);
        var events = new ConcurrentQueue<JsonElement>();
        control.Events += events.Enqueue;
        return (control, events, sip);
    }

    [Fact]
    public async Task A_caller_books_lunch_with_keys_and_0_puts_them_through_to_an_agent_who_answers_and_is_heard_until_one_hangs_up()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key });
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var number = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, number)));
        await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);
        var (agents, agentEvents, agentPort) = await PeopleAsync(("agents", true));
        var options = new HotlineOptions { ApiBaseUrl = "http://unused", AgentLine = $"sip:agents@127.0.0.1:{agentPort}", DistrictDutyLine = "", ServiceKey = Key };
        var flows = new ConcurrentQueue<InboundCallFlow>();
        var settings = new BaresipSettings(2, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"));
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), async call =>
        {
            var flow = new InboundCallFlow(call, backend, options, TimeProvider.System, NullLogger.Instance);
            flows.Enqueue(flow);
            await flow.RunAsync(CancellationToken.None);
        }, NullLogger.Instance, CancellationToken.None);

        var recordings = Path.Combine(_folder, "heard");
        var (caller, events) = await RecordingPhoneAsync(number, recordings);

        await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(events.Any(e => Is(e, "CALL_ESTABLISHED"))), "the hotline to answer");
        foreach (var key in "111") // meals, the first time offered, at the table
        {
            await caller.CommandAsync("sndcode", key.ToString(), CancellationToken.None);
            await Task.Delay(400);
        }
        // The confirmation counts only once its question has been said to the end (keys meanwhile are dropped): the
        // elder presses 1 every second until it is taken, then 0 for a person.
        await UntilAsync(async () =>
        {
            await caller.CommandAsync("sndcode", "1", CancellationToken.None);
            await Task.Delay(1000);
            return await s.WithDbAsync(db => db.Bookings.AnyAsync(b => b.ElderId == elder.Id));
        }, "the booking", seconds: 60);
        Assert.Contains(flows.Single().Path, p => p.StartsWith("booked:", StringComparison.Ordinal));
        await Task.Delay(1000);
        await caller.CommandAsync("sndcode", "0", CancellationToken.None);
        var booking = await s.WithDbAsync(db => db.Bookings.AsNoTracking().SingleAsync(b => b.ElderId == elder.Id));
        Assert.Equal((Channel.Hotline, ServiceModes.AtCentre), (booking.Channel, booking.Mode));
        // The agent's phone rings and answers; the elder is still on the line, and hears the agent (their tone) through the hotline.
        await UntilAsync(() => Task.FromResult(agentEvents.Any(e => Is(e, "CALL_ESTABLISHED"))), "the agent to answer");
        await Task.Delay(4000);
        Assert.DoesNotContain(events, e => Is(e, "CALL_CLOSED"));
        // The agent hangs up: the hotline ends the elder's call too, and logs who was reached.
        await agents.CommandAsync("hangup", null, CancellationToken.None);
        await UntilAsync(() => Task.FromResult(events.Any(e => Is(e, "CALL_CLOSED"))), "the elder's call to end");
        await RecordingWrittenAsync(recordings);
        Assert.True(HeardToneAtEnd(recordings, seconds: 2.5), "the elder did not hear the agent");
        await UntilAsync(async () => await s.WithDbAsync(db => db.CallRecords.AnyAsync(c => c.ElderId == elder.Id)), "the call log");
        var logged = await s.WithDbAsync(db => db.CallRecords.AsNoTracking().SingleAsync(c => c.ElderId == elder.Id));
        Assert.Equal(number, logged.Number);
        Assert.Matches($"^booked:{booking.Id},person:agent:[0-9]+s$", logged.Outcome);
        await caller.DisposeAsync();
        await agents.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_who_does_not_answer_falls_back_to_the_duty_phone_and_when_nobody_answers_the_hotline_calls_the_elder_back()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?>
        {
            ["Services:HotlineKey"] = Key, ["Reminders:DispatchInterval"] = "00:00:01", ["Reminders:CallBackAfter"] = "00:00:00",
        });
        var s = await CreateAsync(api);
        var (first, second) = (await s.AddElderAsync(), await s.AddElderAsync(station: 2));
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);
        // Nobody at the agents' desk; station 1's duty phone answers, station 2's rings out.
        var (people, rang, peoplePort) = await PeopleAsync(("agents", false), (s.Station1.DutyPhone, true), (s.Station2.DutyPhone, false));
        var (phones, phoneEvents, gateway) = await PhonesAsync((first.Phone, true), (second.Phone, true));
        var options = new HotlineOptions
        {
            ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = $"sip:agents@127.0.0.1:{peoplePort}", DutyLine = $"sip:{{0}}@127.0.0.1:{peoplePort}",
            DistrictDutyLine = "", PersonRingTimeout = TimeSpan.FromSeconds(3), OutboundRoute = $"sip:{{0}}@127.0.0.1:{gateway}",
            QueuePoll = TimeSpan.FromSeconds(1), CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue,
        };
        var flows = new ConcurrentQueue<InboundCallFlow>();
        var settings = new BaresipSettings(2, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), OutboundLines: 1);
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), async call =>
        {
            var flow = new InboundCallFlow(call, backend, options, TimeProvider.System, NullLogger.Instance);
            flows.Enqueue(flow);
            await flow.RunAsync(CancellationToken.None);
        }, NullLogger.Instance, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var dialler = new OutboundDialler(lines, backend, options, TimeProvider.System, NullLogger.Instance).RunAsync(stop.Token);

        async Task PressAsync(Elder elder, string key)
        {
            await phones.CommandAsync("uafind", $"sip:{elder.Phone}@127.0.0.1:{gateway}", CancellationToken.None);
            await phones.CommandAsync("sndcode", key, CancellationToken.None);
        }

        // The first elder presses 0: the agents ring out, then the station's duty phone answers.
        await phones.CommandAsync("uafind", $"sip:{first.Phone}@127.0.0.1:{gateway}", CancellationToken.None);
        await phones.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(phoneEvents.Any(e => Is(e, "CALL_ESTABLISHED", first.Phone))), "the hotline to answer");
        await Task.Delay(1500);
        await PressAsync(first, "0");
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_CLOSED", "agents"))), "the agents to ring out");
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_ESTABLISHED", s.Station1.DutyPhone))), "the duty phone to answer");
        Assert.DoesNotContain(phoneEvents, e => Is(e, "CALL_CLOSED", first.Phone));
        await people.CommandAsync("uafind", $"sip:{s.Station1.DutyPhone}@127.0.0.1:{peoplePort}", CancellationToken.None);
        await people.CommandAsync("hangup", null, CancellationToken.None);
        await UntilAsync(async () => await s.WithDbAsync(db => db.CallRecords.AnyAsync(c => c.ElderId == first.Id)), "the first call's log");
        Assert.Matches("^person:duty:[0-9]+s$", await s.WithDbAsync(db => db.CallRecords.Where(c => c.ElderId == first.Id).Select(c => c.Outcome).SingleAsync()));

        // The second elder's station does not answer either: told plainly, the station gets a task, and the hotline rings back.
        await phones.CommandAsync("uafind", $"sip:{second.Phone}@127.0.0.1:{gateway}", CancellationToken.None);
        await phones.CommandAsync("dial", lines.AddressOf(2), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(phoneEvents.Any(e => Is(e, "CALL_ESTABLISHED", second.Phone))), "the hotline to answer the second elder");
        await Task.Delay(1500);
        await PressAsync(second, "0");
        await UntilAsync(async () => await s.WithDbAsync(db => db.HelpRequests.AnyAsync(h => h.ElderId == second.Id && !h.PersonReached)), "the help request", seconds: 40);
        await UntilAsync(() => Task.FromResult(phoneEvents.Count(e => Is(e, "CALL_CLOSED", second.Phone)) == 1), "the second elder's call to end after the goodbye", seconds: 60);
        var said = flows.Last().Path;
        Assert.Equal(["0", "missed:agent:无人接听", "missed:duty:无人接听", "no-person", "callback"], said);
        // The phone picks up by itself (baresip reports an answered call as established, the second on that phone).
        await UntilAsync(() => Task.FromResult(phoneEvents.Count(e => Is(e, "CALL_ESTABLISHED", second.Phone)) == 2), "the call back to ring the elder", seconds: 40);
        await UntilAsync(async () => await s.WithDbAsync(db => (from d in db.Deliveries
                                                              join r in db.Reminders on d.ReminderId equals r.Id
                                                              where r.ElderId == second.Id && r.Kind == ReminderKind.CallBack && d.Status == DeliveryStatus.Delivered
                                                              select d).AnyAsync()), "the call back to be reported", seconds: 60);
        Assert.True(await s.WithDbAsync(db => db.Reminders.AnyAsync(r => r.ElderId == second.Id && r.Kind == ReminderKind.HelpRequested)));
        stop.Cancel();
        await dialler;
        await phones.DisposeAsync();
        await people.DisposeAsync();
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
        var dialler = new OutboundDialler(lines, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), options, TimeProvider.System, NullLogger.Instance);
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
    public async Task After_a_home_visit_the_hotline_asks_the_elder_and_a_1_with_a_rating_a_2_and_no_answer_each_leave_the_visit_as_said()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?>
        {
            ["Services:HotlineKey"] = Key, ["Reminders:DispatchInterval"] = "00:00:01", ["Visits:PhotoFolder"] = Path.Combine(_folder, "photos"),
        });
        var s = await CreateAsync(api);
        var (satisfied, unhappy, away) = (await s.AddElderAsync(), await s.AddElderAsync(), await s.AddElderAsync()); // none uses WeChat
        var (caregiver, account) = await VisitScenario.CaregiverAsync(s);
        var (phones, rang, gateway) = await PhonesAsync((satisfied.Phone, true), (unhappy.Phone, true), (away.Phone, false));
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), OutboundLines: 3);
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), _ => Task.CompletedTask,
            NullLogger.Instance, CancellationToken.None);
        var options = new HotlineOptions
        {
            ApiBaseUrl = "http://unused", ServiceKey = Key, OutboundRoute = $"sip:{{0}}@127.0.0.1:{gateway}", RingTimeout = TimeSpan.FromSeconds(3),
            QueuePoll = TimeSpan.FromSeconds(1), CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue,
        };
        var bookings = new Dictionary<int, long>();
        foreach (var elder in new[] { satisfied, unhappy, away }) bookings[elder.Id] = await VisitScenario.FinishedVisitAsync(s, elder, caregiver, account);
        // The calls saying the bookings were made are not what this is about: heard already.
        await UntilAsync(async () => await s.WithDbAsync(db => db.Deliveries.CountAsync()) == 6, "the six calls to be queued");
        await s.WithDbAsync(db => db.Deliveries.Where(d => db.Reminders.Any(r => r.Id == d.ReminderId && r.Kind == ReminderKind.BookingConfirmed))
            .ExecuteUpdateAsync(x => x.SetProperty(d => d.Status, DeliveryStatus.Delivered)));
        using var stop = new CancellationTokenSource();
        var running = new OutboundDialler(lines, HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler), options, TimeProvider.System,
            NullLogger.Instance).RunAsync(stop.Token);

        async Task PressAsync(Elder elder, string key)
        {
            await phones.CommandAsync("uafind", $"sip:{elder.Phone}@127.0.0.1:{gateway}", CancellationToken.None);
            await phones.CommandAsync("sndcode", key, CancellationToken.None);
        }
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_ESTABLISHED", satisfied.Phone)) && rang.Any(e => Is(e, "CALL_ESTABLISHED", unhappy.Phone))),
            "both elders at home to be called");
        await Task.Delay(1500);
        await PressAsync(satisfied, "1"); // done
        await PressAsync(unhappy, "2"); // not done
        await Task.Delay(2000);
        await PressAsync(satisfied, "4"); // the rating, while it is asked for
        Task<VisitConfirmation[]> ConfirmationsAsync(Elder elder) => s.WithDbAsync(db => (from c in db.VisitConfirmations
                                                                                          join v in db.Visits on c.VisitId equals v.Id
                                                                                          where v.ElderId == elder.Id
                                                                                          select c).AsNoTracking().ToArrayAsync());
        await UntilAsync(async () => (await ConfirmationsAsync(satisfied)).Length == 1 && (await ConfirmationsAsync(unhappy)).Length == 1, "both answers to reach the hub");
        var said = Assert.Single(await ConfirmationsAsync(satisfied));
        Assert.Equal((true, (int?)4, ConfirmationChannel.Phone), (said.Done, said.Rating, said.Channel));
        await UntilAsync(async () => await s.WithDbAsync(db => db.Bookings.AnyAsync(b => b.Id == bookings[satisfied.Id] && b.RatingScore == 4)), "the rating on the booking");

        Assert.False(Assert.Single(await ConfirmationsAsync(unhappy)).Done);
        var disputed = await s.WithDbAsync(db => db.Visits.AsNoTracking().SingleAsync(v => v.ElderId == unhappy.Id));
        Assert.Equal(VisitStatus.NeedsReview, disputed.Status);
        Assert.Contains(VisitReasons.ElderSaysNotDone, disputed.Reasons);
        Assert.True(await s.WithDbAsync(db => db.Reminders.AnyAsync(r => r.ElderId == unhappy.Id && r.Kind == ReminderKind.VisitDisputed)));

        // Nobody picks up at the third home: nothing is recorded for that visit, and the call is tried again later.
        await UntilAsync(async () => (await s.WithDbAsync(db => (from d in db.Deliveries
                                                                 join r in db.Reminders on d.ReminderId equals r.Id
                                                                 where d.ElderId == away.Id && r.Kind == ReminderKind.VisitConfirmation && d.Tries == 1
                                                                 select d).AnyAsync())), "the unanswered call to be reported");
        var waiting = await s.WithDbAsync(db => (from d in db.Deliveries
                                                 join r in db.Reminders on d.ReminderId equals r.Id
                                                 where d.ElderId == away.Id && r.Kind == ReminderKind.VisitConfirmation
                                                 select d).AsNoTracking().SingleAsync());
        Assert.Equal((DeliveryStatus.Queued, "无人接听"), (waiting.Status, waiting.FailReason));
        Assert.True(waiting.NotBefore > DateTime.UtcNow.AddMinutes(5)); // tried again in ten minutes, within the calling hours
        Assert.Empty(await ConfirmationsAsync(away));
        Assert.Equal(VisitStatus.NeedsReview, await s.WithDbAsync(db => db.Visits.Where(v => v.ElderId == away.Id).Select(v => v.Status).SingleAsync())); // 23 h 59 booked: too short, as before the call
        stop.Cancel();
        await running;
        await phones.DisposeAsync();
    }

    [Fact]
    public async Task A_one_key_terminal_rings_a_person_while_its_words_play_the_answer_cuts_them_short_and_9_while_it_rings_calls_the_duty_phone_instead()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key });
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync();
        var number = "010" + Random.Shared.Next(10_000_000, 99_999_999); // the terminal's landline, on the elder's file
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, number)));
        var backend = HotlineBackendSetup.Create(api.Server.BaseAddress, Key, primary: api.Server.CreateHandler);
        var (people, rang, peoplePort) = await PeopleAsync(("agents", true), ("nobody", false), (s.Station1.DutyPhone, true));
        var agentLine = $"sip:agents@127.0.0.1:{peoplePort}";
        var flows = new ConcurrentQueue<InboundCallFlow>();
        var prompts = new PromptAudio(Path.Combine(_folder, "prompts"), null, 180);
        var ringFor = TimeSpan.FromSeconds(90); // longer than any wait below: a ringing that ends early was ended by the hotline
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), TerminalLines: 1);
        await using var lines = await BaresipLines.StartAsync(settings, prompts, async call =>
        {
            var options = new HotlineOptions
            {
                ApiBaseUrl = "http://unused", ServiceKey = Key, AgentLine = agentLine, DutyLine = $"sip:{{0}}@127.0.0.1:{peoplePort}", DistrictDutyLine = "", PersonRingTimeout = ringFor,
            };
            var flow = new InboundCallFlow(call, backend, options, TimeProvider.System, NullLogger.Instance);
            flows.Enqueue(flow);
            await flow.RunAsync(CancellationToken.None);
        }, NullLogger.Instance, CancellationToken.None);
        var recordings = Path.Combine(_folder, "heard-terminal");
        var (terminal, events) = await RecordingPhoneAsync(number, recordings);

        // The button is pressed; an agent picks up at once and talks (their tone) for four seconds.
        await terminal.CommandAsync("dial", lines.TerminalAddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_ESTABLISHED", "agents"))), "the agents to be rung and answer");
        await Task.Delay(4000);
        await people.CommandAsync("uafind", agentLine, CancellationToken.None);
        await people.CommandAsync("hangup", null, CancellationToken.None);
        await UntilAsync(() => Task.FromResult(events.Any(e => Is(e, "CALL_CLOSED"))), "the terminal's call to end");
        await RecordingWrittenAsync(recordings);
        // The elder heard the agent long before the words could have ended, and to the end: no word was said over them.
        var words = await prompts.FileForAsync($"{elder.Name}，您好。" + new Prompts().Terminal, CancellationToken.None);
        Assert.True(FirstToneAt(recordings) is { } heard && heard < words.Speech.TotalSeconds - 3,
            $"the agent was heard {FirstToneAt(recordings)} s into the call; the words take {words.Speech.TotalSeconds} s");
        Assert.True(HeardToneAtEnd(recordings, seconds: 2.5), "the elder did not hear the agent to the end");

        // Next time nobody is at the agents' desk, and the elder presses 9 while it rings: that ringing stops at once
        // (long before the ring time), and the station's duty phone takes the emergency.
        agentLine = $"sip:nobody@127.0.0.1:{peoplePort}";
        await terminal.CommandAsync("dial", lines.TerminalAddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_INCOMING", "nobody"))), "the agents' line to ring");
        await terminal.CommandAsync("sndcode", "9", CancellationToken.None);
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_CLOSED", "nobody"))), "the ringing phone to be hung up");
        await UntilAsync(() => Task.FromResult(rang.Any(e => Is(e, "CALL_ESTABLISHED", s.Station1.DutyPhone))), "the duty phone to answer");
        Assert.True(await s.WithDbAsync(db => db.EmergencyCases.AnyAsync(c => c.ElderId == elder.Id)));
        await people.CommandAsync("uafind", $"sip:{s.Station1.DutyPhone}@127.0.0.1:{peoplePort}", CancellationToken.None);
        await people.CommandAsync("hangup", null, CancellationToken.None);
        await UntilAsync(async () => await s.WithDbAsync(db => db.CallRecords.CountAsync(c => c.ElderId == elder.Id)) == 2, "both calls' logs");
        var paths = await s.WithDbAsync(db => db.CallRecords.Where(c => c.ElderId == elder.Id).OrderBy(c => c.Id).Select(c => c.Path).ToListAsync());
        Assert.Matches("^terminal,person:agent:[0-9]+s$", paths[0]);
        Assert.Matches("^terminal,stopped:agent,9,emergency,person:duty:[0-9]+s$", paths[1]);
        await terminal.DisposeAsync();
        await people.DisposeAsync();
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
    public async Task When_baresip_dies_the_calls_it_carried_are_hung_up_on_both_phones_and_the_lines_answer_again()
    {
        var answered = new ConcurrentQueue<ICall>();
        var ended = new ConcurrentQueue<string>();
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"), OutboundLines: 1);
        await using var lines = await BaresipLines.StartAsync(settings, new PromptAudio(Path.Combine(_folder, "prompts"), null, 180), async call =>
        {
            answered.Enqueue(call);
            // A caller who never presses anything: the flow would wait; baresip's end must end the wait.
            while (await call.ReadKeyAsync(TimeSpan.FromSeconds(1), CancellationToken.None) is null && !call.Ended) { }
            ended.Enqueue(call.Id);
        }, NullLogger.Instance, CancellationToken.None);
        var (caller, events) = await CallerAsync("13900000001");
        var (called, calledEvents, calledPort) = await PhonesAsync(("13900000003", true));

        await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        var callOut = await lines.DialAsync($"sip:13900000003@127.0.0.1:{calledPort}", "13900000003", TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.NotNull(callOut.Answered);
        await UntilAsync(() => Task.FromResult(answered.Count == 1 && events.Any(e => Is(e, "CALL_ESTABLISHED"))), "the first call");
        lines.KillBaresip();
        await UntilAsync(() => Task.FromResult(ended.Count == 1), "the call in progress to end");

        // Neither phone is left in silence: the hotline hangs up the call it answered and the one it placed (a phone
        // without a BYE would keep both up; these test phones never time out on missing audio).
        await UntilAsync(() => Task.FromResult(events.Any(e => Is(e, "CALL_CLOSED"))), "the caller to hear the hang-up", seconds: 5);
        await UntilAsync(() => Task.FromResult(calledEvents.Any(e => Is(e, "CALL_CLOSED"))), "the called phone to hear the hang-up", seconds: 5);
        Assert.True(callOut.Answered!.Ended);

        // Started again: the same line answers the next call.
        await UntilAsync(async () =>
        {
            try { await caller.CommandAsync("hangup", null, CancellationToken.None); } catch (InvalidOperationException) { }
            try { await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None); } catch (InvalidOperationException) { }
            await Task.Delay(1000);
            return answered.Count >= 2;
        }, "a call after the restart");
        await caller.DisposeAsync();
        await called.DisposeAsync();
    }

    [Fact]
    public async Task The_demos_agent_phone_answers_the_agent_line_and_each_duty_phone_and_the_caller_hears_a_person()
    {
        var port = BaresipProcess.FreeSipPort();
        var info = new ProcessStartInfo("dotnet", [RepoPaths.HotlineDll, "agent-phone"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["Hotline__ApiBaseUrl"] = "http://127.0.0.1:1";
        info.Environment["Hotline__PromptCache"] = Path.Combine(_folder, "agent", "prompts");
        info.Environment["Hotline__AgentLine"] = $"sip:agents@127.0.0.1:{port}";
        info.Environment["Hotline__DutyLine"] = $"sip:{{0}}@127.0.0.1:{port}";
        info.Environment["Hotline__DistrictDutyLine"] = $"sip:district-duty@127.0.0.1:{port}";
        info.Environment["AgentPhone__DutyNumbers__0"] = "01062301001";
        var output = new System.Text.StringBuilder();
        using var agentPhone = Process.Start(info)!;
        agentPhone.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        agentPhone.BeginOutputReadLine();
        try
        {
            await UntilAsync(() => { lock (output) return Task.FromResult(output.ToString().Contains("Agent phone answers")); }, "the agent phone to start");
            var recordings = Path.Combine(_folder, "heard-agent");
            Directory.CreateDirectory(recordings);
            var folder = Path.Combine(_folder, "caller");
            var (sip, controlPort) = (BaresipProcess.FreeSipPort(), ApiProcess.FreePort());
            BaresipProcess.Configure(folder, "127.0.0.1", sip, controlPort, [BaresipProcess.Account($"sip:hotline@127.0.0.1:{sip}", false, "phone", codecs: "PCMU")], recordInto: recordings);
            var (process, caller) = await BaresipProcess.StartAsync(folder, controlPort, CancellationToken.None);
            _processes.Add(process);
            var events = new ConcurrentQueue<JsonElement>();
            caller.Events += events.Enqueue;
            foreach (var (user, n) in new[] { ("agents", 1), ("01062301001", 2), ("district-duty", 3) })
            {
                await caller.CommandAsync("dial", $"sip:{user}@127.0.0.1:{port}", CancellationToken.None);
                await UntilAsync(() => Task.FromResult(events.Count(e => Is(e, "CALL_ESTABLISHED")) == n), $"{user} to answer");
                await Task.Delay(2500);
                await caller.CommandAsync("hangup", null, CancellationToken.None);
                await UntilAsync(() => Task.FromResult(events.Count(e => Is(e, "CALL_CLOSED")) == n), $"the call to {user} to end");
            }
            Assert.Equal(3, Directory.GetFiles(recordings, "*-dec.wav").Length);
            Assert.All(Directory.GetFiles(recordings, "*-dec.wav"), f => Assert.True(new FileInfo(f).Length > 8000)); // words were heard
            await caller.DisposeAsync();
        }
        finally
        {
            agentPhone.Kill(entireProcessTree: true);
            await agentPhone.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_baresip_left_over_from_an_earlier_start_is_stopped_and_the_lines_answer()
    {
        var settings = new BaresipSettings(1, "127.0.0.1", BaresipProcess.FreeSipPort(), ApiProcess.FreePort(), Path.Combine(_folder, "lines"));
        var prompts = new PromptAudio(Path.Combine(_folder, "prompts"), null, 180);
        var answered = new ConcurrentQueue<ICall>();
        // A hotline whose process group was stopped without its baresip: that baresip still holds the ports.
        BaresipProcess.Configure(settings.Folder, "127.0.0.1", settings.SipPort, settings.ControlPort, [BaresipProcess.Account("sip:ivr1@127.0.0.1", true, "sink1")]);
        var (orphan, orphanControl) = await BaresipProcess.StartAsync(settings.Folder, settings.ControlPort, CancellationToken.None);
        _processes.Add(orphan);
        await orphanControl.DisposeAsync();

        await using var lines = await BaresipLines.StartAsync(settings, prompts, async call =>
        {
            answered.Enqueue(call);
            await call.ReadKeyAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }, NullLogger.Instance, CancellationToken.None);

        Assert.True(orphan.WaitForExit(5000));
        var (caller, _) = await CallerAsync("13900000003");
        await caller.CommandAsync("dial", lines.AddressOf(1), CancellationToken.None);
        await UntilAsync(() => Task.FromResult(!answered.IsEmpty), "the new lines to answer");
        await caller.DisposeAsync();
    }
}
