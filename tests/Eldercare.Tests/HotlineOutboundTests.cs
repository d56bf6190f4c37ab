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
        var outbound = new OutboundDialler(dialler, new HotlineBackend(api.CreateClient(), Key), Options, TimeProvider.System, NullLogger.Instance);

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
        await s.WithDbAsync(async db =>
        {
            db.Reminders.AddRange(elders.Select(e => new Reminder { ElderId = e.Id, Kind = ReminderKind.BookingCancelled, Text = "您的预约已取消。", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        });
        await UntilQueuedAsync(s, 3, elders.Select(e => e.Id).ToArray());
        var ringing = new TaskCompletionSource<DialResult>();
        var dialler = new FakeDialler(elders.ToDictionary(e => e.Phone, _ => (Func<DialResult>)(() => ringing.Task.Result)));
        var twoLines = new HotlineOptions { ApiBaseUrl = "http://unused", ServiceKey = Key, CallsFrom = TimeOnly.MinValue, CallsUntil = TimeOnly.MaxValue, OutboundLines = 2 };
        var outbound = new OutboundDialler(dialler, new HotlineBackend(api.CreateClient(), Key), twoLines, TimeProvider.System, NullLogger.Instance);

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
        await s.WithDbAsync(async db =>
        {
            db.Reminders.Add(new Reminder { ElderId = elder.Id, Kind = ReminderKind.BookingCancelled, Text = "您的预约已取消。", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await UntilQueuedAsync(s, 1, elder.Id);
        var dialler = new FakeDialler(new() { [elder.Phone] = () => DialResult.NotAnswered("无人接听") });
        var backend = new HotlineBackend(api.CreateClient(), Key);
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
}
