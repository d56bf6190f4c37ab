using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Reminders;

public sealed record DeliveryOutcome(Delivery Delivery, Delivery? NextDelivery, Reminder? FollowUp, DateTime? RetryAt = null);

/// <summary>
/// What channels report back: a delivery that reached its recipient is closed; one that failed falls back to the
/// recipient's next channel, except calls: an unanswered reminder call stays in the hotline's queue for another try
/// later, and an unanswered check-in call is tried again later and, after the last try, becomes an alert for the
/// family and a task for the station.
/// </summary>
public sealed class DeliveryOutcomes(EldercareDb db, IOptions<ReminderOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Records what the channel's sender reports for a delivery of a reminder of <paramref name="kind"/>. Only a queued
    /// delivery takes an outcome, and the update is conditional, so a repeated or racing report changes nothing
    /// (<c>delivery-closed</c>).
    /// </summary>
    public async Task<Outcome<DeliveryOutcome>> ReportAsync(Delivery delivery, ReminderKind kind, bool delivered, string? note, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (delivery.NotBefore > now) return ReminderProblems.DeliveryWaiting; // a repeated report of the last try
        var status = delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        var reason = delivered ? null : string.IsNullOrWhiteSpace(note) ? "未送达" : note.Trim();
        if (!delivered && delivery is { Channel: DeliveryChannel.PhoneCall, RecipientKind: RecipientKind.Elder or RecipientKind.EmergencyContact } && kind != ReminderKind.CheckInCall
            && delivery.Tries + 1 < options.Value.ReminderCallTries)
            return await RetryCallLaterAsync(delivery, reason!, now, ct);
        var closed = await db.Deliveries.Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, status).SetProperty(d => d.FailReason, reason).SetProperty(d => d.UpdatedAt, now), ct);
        if (closed == 0) return ReminderProblems.DeliveryClosed;
        (delivery.Status, delivery.FailReason, delivery.UpdatedAt) = (status, reason, now);
        if (delivered) return new DeliveryOutcome(delivery, null, null);
        await db.Reminders.Where(r => r.Id == delivery.ReminderId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastError, $"{delivery.Channel}: {(reason!.Length > 400 ? reason[..400] : reason)}"), ct);

        if (kind == ReminderKind.CheckInCall && delivery.Channel == DeliveryChannel.PhoneCall)
            return new DeliveryOutcome(delivery, null, await FollowUpUnansweredCallAsync(delivery.ElderId, now, ct));
        return new DeliveryOutcome(delivery, await FallBackAsync(delivery, kind, now, ct), null);
    }

    /// <summary>The call stays queued for the hotline, from a while later; conditional, so a racing report changes nothing.</summary>
    private async Task<Outcome<DeliveryOutcome>> RetryCallLaterAsync(Delivery delivery, string reason, DateTime now, CancellationToken ct)
    {
        var retryAt = now + options.Value.ReminderCallRetryAfter;
        var tries = delivery.Tries;
        var waiting = await db.Deliveries.Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Queued && d.Tries == tries).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Tries, tries + 1).SetProperty(d => d.NotBefore, retryAt)
            .SetProperty(d => d.FailReason, reason).SetProperty(d => d.UpdatedAt, now), ct);
        if (waiting == 0) return ReminderProblems.DeliveryClosed;
        (delivery.Tries, delivery.NotBefore, delivery.FailReason, delivery.UpdatedAt) = (tries + 1, retryAt, reason, now);
        return new DeliveryOutcome(delivery, null, null, retryAt);
    }

    /// <summary>The elder is tried on the next untried channel for this kind of reminder (see <see cref="Reach.ChannelsFor"/>).</summary>
    private async Task<Delivery?> FallBackAsync(Delivery failed, ReminderKind kind, DateTime now, CancellationToken ct)
    {
        if (failed.RecipientKind != RecipientKind.Elder) return null;
        var elder = await db.Elders.AsNoTracking().Where(e => e.Id == failed.ElderId)
            .Select(e => new { e.Phone, e.WeChatOpenId, e.PreferredChannel }).SingleAsync(ct);
        var tried = await db.Deliveries.Where(d => d.ReminderId == failed.ReminderId && d.RecipientKind == RecipientKind.Elder).Select(d => d.Channel).ToListAsync(ct);
        var untried = Reach.ChannelsFor(kind, elder.PreferredChannel, elder.WeChatOpenId is not null, elder.Phone.Length > 0).Where(c => !tried.Contains(c)).ToList();
        if (untried is not [var channel, ..]) return null;
        var next = Delivery.Queued(failed.ReminderId, failed.ElderId, failed.Text, RecipientKind.Elder, failed.RecipientId, channel, now);
        db.Deliveries.Add(next);
        await db.SaveChangesAsync(ct);
        return next;
    }

    /// <summary>Another try later today, or after the last try an alert for the family and a visit for the station.</summary>
    private async Task<Reminder> FollowUpUnansweredCallAsync(int elderId, DateTime now, CancellationToken ct)
    {
        var (dayStart, dayEnd) = BusinessTime.DayInUtc(DateOnly.FromDateTime(BusinessTime.ToBusinessTime(now)));
        var tries = await db.Reminders.CountAsync(r => r.ElderId == elderId && r.Kind == ReminderKind.CheckInCall && r.DueAt >= dayStart && r.DueAt < dayEnd, ct);
        var name = await db.Elders.Where(e => e.Id == elderId).Select(e => e.Name).SingleAsync(ct);
        var followUp = tries < options.Value.CheckInTries
            ? new Reminder { ElderId = elderId, Kind = ReminderKind.CheckInCall, Text = CheckInCalls.CallText, CreatedAt = now, DueAt = now + options.Value.CheckInRetryAfter }
            : new Reminder
            {
                ElderId = elderId, Kind = ReminderKind.CheckInUnanswered, CreatedAt = now, DueAt = now,
                Text = $"{name}今天的{tries}次问候电话都没有接通，请尽快联系老人或上门看看。",
            };
        db.Reminders.Add(followUp);
        await db.SaveChangesAsync(ct);
        return followUp;
    }
}
