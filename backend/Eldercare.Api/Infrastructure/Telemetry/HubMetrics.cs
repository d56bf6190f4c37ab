using System.Diagnostics.Metrics;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;

namespace Eldercare.Api.Infrastructure.Telemetry;

/// <summary>
/// The hub's own measurements (meter "Eldercare.Api"), beside ASP.NET Core's request metrics and the booking gate's:
/// what became of booking requests, how late reminders are handed over, how many deliveries wait for a channel, and
/// what the integrity rules found.
/// </summary>
public sealed class HubMetrics
{
    public const string MeterName = "Eldercare.Api", ReminderLagName = "eldercare.reminders.lag";

    private readonly Counter<long> _bookings;
    private readonly Histogram<double> _reminderLag;
    private readonly Counter<long> _integrityHits;

    public HubMetrics(IMeterFactory meters, IServiceScopeFactory scopes)
    {
        var meter = meters.Create(MeterName);
        _bookings = meter.CreateCounter<long>("eldercare.bookings.outcomes", description:
            "Booking requests by outcome (booked, replayed: a retry answered with the booking made; refused, with the problem type) and channel");
        _reminderLag = meter.CreateHistogram<double>(ReminderLagName, "s", "From a reminder's due time to its hand-over to the channels");
        _integrityHits = meter.CreateCounter<long>("eldercare.integrity.hits", description:
            "New findings of the hub's integrity rules, by rule: the nightly reconciliation's money and place rules (money, place-count, cancelled-holds-money, ...)");
        meter.CreateObservableGauge("eldercare.deliveries.queued", () => QueuedDeliveries(scopes), description:
            "Deliveries waiting for their channel's sender (WeChat, phone call, SMS), by channel");
    }

    public void BookingOutcome(string outcome, string? problemType, Channel channel) =>
        _bookings.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new("problem", problemType ?? ""), new("channel", channel.ToString()));

    public void ReminderHandedOver(TimeSpan lag) => _reminderLag.Record(Math.Max(0, lag.TotalSeconds));

    public void IntegrityHit(string rule) => _integrityHits.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>Counted when a scrape asks (every 15 s or so): one grouped query on an index of the deliveries' status.</summary>
    private static IEnumerable<Measurement<long>> QueuedDeliveries(IServiceScopeFactory scopes)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<EldercareDb>();
            return db.Deliveries.Where(d => d.Status == DeliveryStatus.Queued).GroupBy(d => d.Channel)
                .Select(g => new { Channel = g.Key, Count = g.LongCount() }).ToList()
                .Select(x => new Measurement<long>(x.Count, new KeyValuePair<string, object?>("channel", x.Channel.ToString())));
        }
        catch (Exception)
        {
            return []; // the database is away: the scrape goes on without this gauge, and readiness says why
        }
    }
}
