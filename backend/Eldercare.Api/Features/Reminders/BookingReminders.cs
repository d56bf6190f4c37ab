using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Reminders;

/// <summary>
/// The reminders that go with a booking (written with it, withdrawn with it), and the notices the booking engine and
/// its jobs send at once (cancellations, promotions, closures). Both are saved with the caller's next batch.
/// </summary>
public sealed class BookingReminders(EldercareDb db, IOptions<ReminderOptions> options)
{
    /// <summary>Adds to the booking's batch the confirmation (due at once) and the reminders before the service.</summary>
    public void AddForNewBooking(Booking booking, DateTime nowUtc)
    {
        // A booking waiting for payment is confirmed to the elder once paid; whoever booked it is paying right now.
        if (booking.Status != BookingStatus.Requested)
            AddNotice(booking.ElderId, ReminderKind.BookingConfirmed, booking.Id, nowUtc,
                $"已为您预约：{booking.Date:M月d日} {booking.Start:HH:mm} {booking.ServiceName}，需付{booking.PayableFen / 100m:0.##}元。");
        AddBeforeService(booking, nowUtc);
    }

    /// <summary>A service (other than a meal, which is daily) was done: the elder and family are asked to rate it.</summary>
    public void AddCompleted(Booking booking, DateTime nowUtc)
    {
        if (booking.Line == ServiceLine.Meals) return;
        AddNotice(booking.ElderId, ReminderKind.ServiceCompleted, booking.Id, nowUtc,
            $"{booking.Date:M月d日}的{booking.ServiceName}已完成。服务怎么样？请在小程序\"我的订单\"里打个分。");
    }

    public void AddConfirmedAfterPayment(Booking booking, DateTime nowUtc) =>
        AddNotice(booking.ElderId, ReminderKind.BookingConfirmed, booking.Id, nowUtc,
            $"已付款{booking.PayableFen / 100m:0.##}元，预约成功：{booking.Date:M月d日} {booking.Start:HH:mm} {booking.ServiceName}。");

    /// <summary>A notice for an elder (and their family), due at once.</summary>
    public void AddNotice(int elderId, ReminderKind kind, long? bookingId, DateTime nowUtc, string text) =>
        db.Reminders.Add(new Reminder { ElderId = elderId, Kind = kind, BookingId = bookingId, Text = text, CreatedAt = nowUtc, DueAt = nowUtc });

    /// <summary>A booking that will not take place (cancelled, rejected, missed) or has begun needs no more reminders before it.</summary>
    public async Task<int> CancelBeforeServiceAsync(long bookingId, CancellationToken ct)
    {
        var withdrawn = await db.Reminders.Where(r => r.BookingId == bookingId && r.Status == ReminderStatus.Pending && Reminder.BeforeService.Contains(r.Kind))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReminderStatus.Cancelled), ct);
        // Calls about it that the hotline has not made yet (its confirmation, a reminder) are not made at all.
        var calls = from d in db.Deliveries
                    join r in db.Reminders on d.ReminderId equals r.Id
                    where r.BookingId == bookingId && d.Channel == DeliveryChannel.PhoneCall && d.Status == DeliveryStatus.Queued
                          && (r.Kind == ReminderKind.BookingConfirmed || Reminder.BeforeService.Contains(r.Kind))
                    select d.Id;
        await db.Deliveries.Where(d => calls.Contains(d.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, DeliveryStatus.Failed).SetProperty(d => d.FailReason, "预约已不再进行，不再打电话").SetProperty(d => d.UpdatedAt, DateTime.UtcNow), ct);
        return withdrawn;
    }

    /// <summary>The evening-before and shortly-before reminders, for those times that are still ahead.</summary>
    public void AddBeforeService(Booking booking, DateTime nowUtc)
    {
        if (!options.Value.BeforeService.TryGetValue(booking.Line, out var times)) return;
        var startsAt = BusinessTime.ToUtc(booking.Date, booking.Start);
        if (times.EveningBefore is { } evening)
            AddBefore(booking, ReminderKind.BookingEveningBefore, BusinessTime.ToUtc(booking.Date.AddDays(-1), evening), nowUtc,
                $"提醒您：明天{booking.Start:HH:mm}有{booking.ServiceName}。如需取消，请在小程序里操作或拨打服务热线。");
        if (times.LeadTime is { } lead)
            AddBefore(booking, ReminderKind.BookingSoon, startsAt - lead, nowUtc,
                $"提醒您：今天{booking.Start:HH:mm}的{booking.ServiceName}快到了。");
    }

    private void AddBefore(Booking booking, ReminderKind kind, DateTime dueAt, DateTime nowUtc, string text)
    {
        if (dueAt <= nowUtc) return; // too late to be a reminder
        db.Reminders.Add(new Reminder { ElderId = booking.ElderId, Kind = kind, BookingId = booking.Id, Text = text, CreatedAt = nowUtc, DueAt = dueAt });
    }
}
