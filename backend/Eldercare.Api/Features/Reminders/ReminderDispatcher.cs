using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Reminders;

/// <summary>
/// Hands due reminders to their recipients' channels. A batch is claimed for a short lease, its deliveries are worked
/// out, and in one transaction the deliveries are written and the reminders marked Sent, provided the claim still
/// holds. A node killed mid-batch leaves a claim that expires; the batch is then claimed again and delivered once,
/// since a delivery is unique per reminder, recipient and channel. Any number of dispatchers may run on any nodes.
/// </summary>
public sealed class ReminderDispatcher(EldercareDb db, IOptions<ReminderOptions> options, HubMetrics metrics, TimeProvider clock, ILogger<ReminderDispatcher> log)
{
    /// <summary>Dispatches one batch of due reminders; returns how many were sent (0 when none were due or others took them).</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        if (await ClaimAsync(token, now, ct) == 0) return 0;
        var claimed = await db.Reminders.AsNoTracking().Where(r => r.ClaimToken == token).ToListAsync(ct);
        var deliveries = await DeliveriesForAsync(claimed, now, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sentAt = clock.GetUtcNow().UtcDateTime;
        var stillOurs = await db.Reminders.Where(r => r.ClaimToken == token && r.Status == ReminderStatus.Dispatching)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReminderStatus.Sent).SetProperty(r => r.SentAt, sentAt), ct);
        if (stillOurs != claimed.Count)
        {
            // The lease ran out and another dispatcher claimed some of them: it delivers them, so this one backs off.
            await tx.RollbackAsync(ct);
            log.LogWarning("A reminder batch outlived its claim; {Count} reminders left to the dispatcher that took them over", claimed.Count);
            return 0;
        }
        db.Deliveries.AddRange(deliveries);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        foreach (var reminder in claimed) metrics.ReminderHandedOver(sentAt - reminder.DueAt);
        return claimed.Count;
    }

    /// <summary>
    /// Claims up to a batch of due reminders (and any whose claim expired) for this token. Dispatchers on several
    /// nodes share the work; SQLite has one writer at a time anyway.
    /// </summary>
    private Task<int> ClaimAsync(string token, DateTime now, CancellationToken ct)
    {
        var expires = now + options.Value.ClaimLease;
        var batch = options.Value.BatchSize;
        // On PostgreSQL, rows another dispatcher is claiming at that moment are skipped rather than waited for.
        var sql = ClaimSql + (db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED)" : ")");
        return db.Database.ExecuteSqlRawAsync(sql, [token, expires, now, batch], ct);
    }

    private const string ClaimSql = """
        UPDATE reminders SET status = 'Dispatching', claim_token = {0}, claim_expires_at = {1}, attempts = attempts + 1
        WHERE id IN (SELECT id FROM reminders
                     WHERE due_at <= {2} AND (status = 'Pending' OR (status = 'Dispatching' AND claim_expires_at < {2}))
                     ORDER BY due_at LIMIT {3}
        """;

    /// <summary>Who hears of each reminder and how: the elder on the channel its kind calls for, and bound family on WeChat.</summary>
    private async Task<List<Delivery>> DeliveriesForAsync(List<Reminder> reminders, DateTime now, CancellationToken ct)
    {
        var elderIds = reminders.Select(r => r.ElderId).Distinct().ToList();
        var elders = await db.Elders.AsNoTracking().Where(e => elderIds.Contains(e.Id))
            .Select(e => new { e.Id, e.Status, e.Phone, e.WeChatOpenId, e.PreferredChannel }).ToDictionaryAsync(e => e.Id, ct);
        // In an emergency the elder's emergency contacts are called too (the hotline asks them to press 1 to confirm).
        var emergencyElders = reminders.Where(r => r.Kind == ReminderKind.Emergency).Select(r => r.ElderId).ToList();
        var contacts = emergencyElders.Count == 0 ? Enumerable.Empty<EmergencyContact>().ToLookup(c => c.ElderId)
            : (await db.EmergencyContacts.AsNoTracking().Where(c => emergencyElders.Contains(c.ElderId) && c.Phone != "").ToListAsync(ct)).ToLookup(c => c.ElderId);
        var family = (await (from b in db.FamilyBindings
                             join f in db.FamilyMembers on b.FamilyMemberId equals f.Id
                             where elderIds.Contains(b.ElderId) && b.Status == BindingStatus.Active && f.WeChatOpenId != null
                             select new { b.ElderId, FamilyMemberId = f.Id }).ToListAsync(ct))
            .ToLookup(x => x.ElderId, x => x.FamilyMemberId);

        // An elder who booked on the hotline heard the booking confirmed on that call: no second call to say so.
        var confirmedIds = reminders.Where(r => r.Kind == ReminderKind.BookingConfirmed && r.BookingId is not null).Select(r => r.BookingId!.Value).ToList();
        var heardOnCall = confirmedIds.Count == 0 ? []
            : (await db.Bookings.AsNoTracking().Where(b => confirmedIds.Contains(b.Id) && b.Channel == Channel.Hotline).Select(b => b.Id).ToListAsync(ct)).ToHashSet();

        var deliveries = new List<Delivery>();
        foreach (var reminder in reminders)
        {
            var elder = elders[reminder.ElderId];
            if (elder.Status != ElderStatus.Deceased && !(reminder.Kind == ReminderKind.BookingConfirmed && reminder.BookingId is { } booked && heardOnCall.Contains(booked)))
            {
                var channel = Reach.ChannelsFor(reminder.Kind, elder.PreferredChannel, elder.WeChatOpenId is not null, elder.Phone.Length > 0)[0];
                deliveries.Add(Delivery.Queued(reminder.Id, reminder.ElderId, reminder.Text, RecipientKind.Elder, elder.Id, channel, now));
            }
            if (reminder.Kind == ReminderKind.Emergency)
                foreach (var contact in contacts[reminder.ElderId])
                    deliveries.Add(Delivery.Queued(reminder.Id, reminder.ElderId, reminder.Text, RecipientKind.EmergencyContact, contact.Id, DeliveryChannel.PhoneCall, now));
            if (Reach.TellsFamily(reminder.Kind))
                foreach (var member in family[reminder.ElderId])
                    deliveries.Add(Delivery.Queued(reminder.Id, reminder.ElderId, reminder.Text, RecipientKind.FamilyMember, member, DeliveryChannel.WeChat, now));
        }
        return deliveries;
    }
}
