using System.Net.Http.Json;
using System.Net;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// /metrics answers Prometheus with the named metrics: requests by route, bookings by outcome and channel, reminder lag,
/// queued deliveries. The hub's meter is one per process, so bookings made by tests running beside this one would be
/// counted too: it runs alone.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_bookings_by_outcome_and_channel_and_time_requests_by_route_and_reminders_by_lag()
    {
        using var api = new ApiFactory();
        var s = await CreateAsync(api);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0), capacity: 2);
        var elder = await s.AddElderAsync();
        var hotline = await s.HotlineClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(hotline, elder.Id, slot.Id, key: "metrics-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await BookAsync(hotline, elder.Id, slot.Id, key: "metrics-1")).StatusCode); // a retry
        Assert.NotEqual(HttpStatusCode.Created, (await BookAsync(hotline, elder.Id, 999_999)).StatusCode);
        // A reminder due two minutes ago, handed over now: about 120 s late.
        await s.WithDbAsync(async db =>
        {
            db.Reminders.Add(new Reminder { ElderId = elder.Id, Kind = ReminderKind.BookingMoved, Text = "测试", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow.AddMinutes(-2) });
            await db.SaveChangesAsync();
        });
        await using (var scope = api.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<ReminderDispatcher>().DispatchBatchAsync(default) > 0);

        // ASP.NET Core records a request's duration as it finishes, which may be just after the client has its answer.
        var text = "";
        bool Recorded(string status) => HasSample(text, "http_server_request_duration_seconds_count", 1, $"http_response_status_code=\"{status}\"", "http_route=\"/api/bookings/\"");
        for (var i = 0; i < 50 && !(Recorded("201") && Recorded("404")); i++)
        {
            if (i > 0) await Task.Delay(100);
            text = await api.CreateClient().GetStringAsync("/metrics"); // open, like the health checks
        }

        Assert.Matches("eldercare_bookings_outcomes_total\\{[^}]*channel=\"Hotline\"[^}]*outcome=\"booked\"[^}]*\\} 1", text);
        Assert.Matches("eldercare_bookings_outcomes_total\\{[^}]*channel=\"Hotline\"[^}]*outcome=\"replayed\"[^}]*\\} 1", text);
        Assert.Matches("eldercare_bookings_outcomes_total\\{[^}]*outcome=\"refused\",problem=\"slot-not-found\"[^}]*\\} 1", text);
        Assert.True(Recorded("201") && Recorded("404"), text);
        Assert.Matches("eldercare_reminders_lag_seconds_count(\\{[^}]*\\})? [1-9]", text);
        var lagSum = double.Parse(System.Text.RegularExpressions.Regex.Match(text, "eldercare_reminders_lag_seconds_sum\\{[^}]*\\} ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lagSum, 119, 200); // the reminder two minutes late, and the booking's confirmation on time
        Assert.Contains("eldercare_deliveries_queued", text);
        Assert.Contains("eldercare_bookings_waiting", text);

        // An integrity rule's hit: a booking's money behind the engine's back, found by the reconciliation. (Counters
        // are per process: earlier tests' hits are in it, so the test counts what this run adds.)
        var hitsBefore = SampleValue(await api.CreateClient().GetStringAsync("/metrics"), "eldercare_integrity_hits_total", "rule=\"money\"");
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 5, period: MealPeriod.Lunch);
        var paidFor = (await JsonAsync(await BookAsync(clerk, (await s.AddElderAsync()).Id, lunch.Id))).GetProperty("id").GetInt64();
        await clerk.PostAsJsonAsync($"/api/bookings/{paidFor}/payments", new { method = "Cash", amountFen = 1500 }, Json);
        await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == paidFor).ExecuteUpdateAsync(x => x.SetProperty(b => b.PaidFen, 500)));
        var run = await (await s.StaffClientAsync(StaffRole.Officer)).PostAsync("/api/reconciliation/run", null);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Contains("\"money\"", await run.Content.ReadAsStringAsync());
        // The exporter answers a scrape from its cache for a moment, so the new count may take a scrape or two.
        for (var i = 0; i < 50 && SampleValue(text, "eldercare_integrity_hits_total", "rule=\"money\"") <= hitsBefore; i++)
        {
            await Task.Delay(100);
            text = await api.CreateClient().GetStringAsync("/metrics");
        }
        Assert.Equal(hitsBefore + 1, SampleValue(text, "eldercare_integrity_hits_total", "rule=\"money\""));

        // The sample Grafana dashboard asks only for metrics that are served: the API's here, the hotline's by its meter.
        var dashboard = File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "grafana-dashboard.json"));
        var asked = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\b(eldercare_[a-z_]+|http_server_[a-z_]+)")
            .Select(m => System.Text.RegularExpressions.Regex.Replace(m.Value, "_(bucket|count|sum)$", "")).Distinct().ToList();
        Assert.Contains("eldercare_hotline_calls", asked);
        var hotlineServes = new[] // as Prometheus names them: dots become underscores, the unit is appended
        {
            Eldercare.Hotline.Telephony.HotlineMetrics.CallsName.Replace('.', '_'), Eldercare.Hotline.Telephony.HotlineMetrics.KeyToPromptName.Replace('.', '_') + "_milliseconds",
        };
        Assert.All(asked, metric => Assert.True(text.Contains(metric + "_", StringComparison.Ordinal) || text.Contains(metric + "{", StringComparison.Ordinal)
            || text.Contains(metric + " ", StringComparison.Ordinal) || hotlineServes.Contains(metric), $"the dashboard asks for {metric}, which is not served"));
    }

    /// <summary>The value of the sample of this metric with all these labels (in any order); 0 when there is none yet.</summary>
    private static double SampleValue(string text, string name, params string[] labels) =>
        text.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>A sample of this metric with all these labels (in any order) and this value.</summary>
    private static bool HasSample(string text, string name, double value, params string[] labels) =>
        text.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains)
            && line.EndsWith("} " + value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
}
