using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// The engine's promises under many simultaneous HTTP clients, on SQLite and on PostgreSQL.
/// Every test fires its requests at once (released together by a barrier) and then counts rows in the database.
/// </summary>
public sealed class BookingConcurrencyTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Twenty_elders_racing_for_five_places_get_exactly_five(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var slot = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 5, period: MealPeriod.Lunch);
        var elders = new List<Elder>();
        for (var i = 0; i < 20; i++) elders.Add(await s.AddElderAsync());
        var clients = new List<HttpClient>();
        foreach (var e in elders) clients.Add(await s.ElderClientAsync(e));

        var responses = await AllAtOnceAsync(20, i => BookAsync(clients[i], elders[i].Id, slot.Id));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(5, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.SlotId == slot.Id && b.Status == BookingStatus.Requested))); // each waits for its payment
        Assert.Equal(5, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Cancelling_the_same_booking_ten_times_at_once_frees_one_place(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 3);
        var hotline = await s.HotlineClientAsync();
        var first = await s.AddElderAsync();
        var second = await s.AddElderAsync();
        var id = (await JsonAsync(await BookAsync(hotline, first.Id, slot.Id))).GetProperty("id").GetInt64();
        await BookAsync(hotline, second.Id, slot.Id);

        var responses = await AllAtOnceAsync(10, _ => hotline.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "电话里说不用了" }));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
        Assert.Equal(1, await s.WithDbAsync(db => db.BookingEvents.CountAsync(e => e.BookingId == id && e.ToStatus == BookingStatus.Cancelled)));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task An_elder_racing_into_eight_overlapping_slots_gets_exactly_one(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var slots = new List<Slot>();
        for (var i = 0; i < 8; i++) slots.Add(await s.AddSlotAsync(s.Cleaning, s.Pool1, new TimeOnly(9, i * 5), new TimeOnly(11, i * 5)));
        var family = await s.FamilyClientAsync(await s.AddFamilyAsync(elder.Id));
        var self = await s.ElderClientAsync(elder);

        var responses = await AllAtOnceAsync(8, i => BookAsync(i % 2 == 0 ? family : self, elder.Id, slots[i].Id));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await s.WithDbAsync(db => db.Bookings.CountAsync(b => b.ElderId == elder.Id)));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Ten_retries_with_one_idempotency_key_make_one_booking(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var other = await s.AddSlotAsync(s.Cleaning, s.Pool2, new(14, 0), new(16, 0));
        var hotline = await s.HotlineClientAsync();

        var same = await AllAtOnceAsync(10, _ => BookAsync(hotline, elder.Id, slot.Id, key: "call-1-step-4"));
        Assert.All(same, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(1, same.Count(r => r.StatusCode == HttpStatusCode.Created));
        var ids = new HashSet<long>();
        foreach (var r in same) ids.Add((await JsonAsync(r)).GetProperty("id").GetInt64());
        Assert.Single(ids);

        // The same key reused for another elder and slot, all at once: refused every time, nothing booked.
        var stranger = await s.AddElderAsync(station: 2);
        var reused = await AllAtOnceAsync(6, _ => BookAsync(hotline, stranger.Id, other.Id, key: "call-1-step-4"));
        Assert.All(reused, r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Equal(1, await s.WithDbAsync(db => db.Bookings.CountAsync()));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Concurrent_bookings_never_exceed_a_monthly_subsidy_cap(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        await s.AddRuleAsync(new SubsidyRule { Name = "助洁补贴", Line = ServiceLine.Cleaning, Kind = SubsidyKind.FixedAmount, Amount = 3000, MonthlyCapFen = 7000, Priority = 1 });
        var elder = await s.AddElderAsync();
        var slots = new List<Slot>();
        for (var i = 0; i < 6; i++) slots.Add(await s.AddSlotAsync(s.Cleaning, s.Pool1, new TimeOnly(8 + i * 2, 0), new TimeOnly(9 + i * 2, 30)));
        var hotline = await s.HotlineClientAsync();

        var responses = await AllAtOnceAsync(6, i => BookAsync(hotline, elder.Id, slots[i].Id));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var subsidies = new List<long>();
        foreach (var r in responses) subsidies.Add((await JsonAsync(r)).GetProperty("price").GetProperty("subsidyFen").GetInt64());
        Assert.Equal(7000, subsidies.Sum()); // 3000 + 3000 + 1000, then nothing
        Assert.Equal(7000, await s.WithDbAsync(db => db.SubsidyLedger.Where(l => l.ElderId == elder.Id).SumAsync(l => l.AmountFen)));
        Assert.Equal(7000, await s.WithDbAsync(db => db.SubsidyBudgets.Where(b => b.ElderId == elder.Id).Select(b => b.UsedFen).SingleAsync()));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_node_works_on_at_most_its_limit_of_bookings_at_once_and_the_rest_wait_their_turn(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database, new Dictionary<string, string?> { ["Bookings:MaxConcurrentBookings"] = "2" });
        var s = await CreateAsync(factory);
        var slot = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 10, period: MealPeriod.Lunch);
        var hotline = await s.HotlineClientAsync();
        var elders = new List<Elder>();
        for (var i = 0; i < 30; i++) elders.Add(await s.AddElderAsync());

        // The gate's own gauges, read from this host's meters only (other tests run hosts in parallel).
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        int running = 0, mostRunning = 0, mostWaiting = 0, waiting = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == BookingGate.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((instrument, change, _, _) =>
        {
            lock (listener)
            {
                if (instrument.Name == "eldercare.bookings.running") mostRunning = Math.Max(mostRunning, running += change);
                else mostWaiting = Math.Max(mostWaiting, waiting += change);
            }
        });
        listener.Start();

        var responses = await AllAtOnceAsync(30, i => BookAsync(hotline, elders[i].Id, slot.Id));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(10, await s.WithDbAsync(db => db.Slots.Where(x => x.Id == slot.Id).Select(x => x.Booked).SingleAsync()));
        // Never more than two at once (SQLite's synchronous driver may well run them one by one).
        Assert.InRange(mostRunning, 1, 2);
        Assert.True(mostWaiting > 0, "thirty bookings at once should have queued behind the two running");
        Assert.Equal(0, running);
        Assert.Equal(0, waiting);
    }
}
