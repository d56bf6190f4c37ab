using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Payments;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Eldercare.Api.Features.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Eldercare.Api.Features.Bookings;

/// <summary>Settings of the "Bookings" section.</summary>
public sealed class BookingOptions
{
    /// <summary>How long a booking that waits for payment (Requested) holds its place before it is released.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")] public TimeSpan PaymentWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether a mini-program booking may be paid at the station's window instead of in WeChat (when WeChat Pay is not
    /// set up, or the elder prefers it), and until when it then holds its place.
    /// </summary>
    public WindowPaymentPolicy WindowPayment { get; set; } = WindowPaymentPolicy.UntilCutoff;

    /// <summary>How many bookings one node works on at once (see <see cref="BookingGate"/>); the rest wait their turn.</summary>
    [Range(1, 1000)] public int MaxConcurrentBookings { get; set; } = 4 * Environment.ProcessorCount;
}

public enum WindowPaymentPolicy
{
    /// <summary>Paid at the window until the slot's order cut-off (at least one payment window from booking); released after.</summary>
    UntilCutoff,
    /// <summary>No window payment for mini-program bookings: without WeChat Pay they are refused and sent to the window or hotline.</summary>
    Off,
}

/// <summary>
/// Releases bookings whose payment window closed without payment: the place goes back (and to the waitlist), the
/// subsidy is given back, and the elder is told why.
/// </summary>
public sealed class UnpaidBookings(EldercareDb db, BookingEngine engine, IOptions<BookingOptions> options,
    IOptions<WeChatPayOptions> payOptions, WeChatPayNotifications payments, TimeProvider clock, ILogger<UnpaidBookings> log)
{
    public async Task<int> ReleaseExpiredAsync(CancellationToken ct)
    {
        await ConfirmStrandedAsync(ct);
        var window = options.Value.PaymentWindow;
        var now = clock.GetUtcNow().UtcDateTime;
        var openedBefore = now - window;
        var expired = await db.Bookings.AsNoTracking()
            .Where(b => b.Status == BookingStatus.Requested && (b.PayBy == null ? b.CreatedAt < openedBefore : b.PayBy < now))
            .OrderBy(b => b.Id).Select(b => b.Id).ToListAsync(ct);
        var released = 0;
        foreach (var bookingId in expired)
        {
            if (await PaidAfterAllAsync(bookingId, ct)) continue;
            var notice = new ElderNotice(ReminderKind.UnpaidBookingReleased, (b, _) => b.PayBy is { } payBy
                ? $"您{b.Date:M月d日} {b.Start:HH:mm}的{b.ServiceName}没有在{BusinessTime.ToBusinessTime(payBy):M月d日 HH:mm}前付款，预约已取消，名额已让给其他老人。"
                : $"您{b.Date:M月d日} {b.Start:HH:mm}的{b.ServiceName}没有在{window.TotalMinutes:0}分钟内付款，预约已取消，名额已让给其他老人。");
            var result = await engine.CancelAsync(Actor.System, bookingId, "未在规定时间内付款", ignoreCutoff: true, ct, notice);
            if (result.Booking is not null) released++; // else paid or cancelled in the meantime
        }
        if (released > 0) log.LogInformation("Released {Count} unpaid bookings", released);
        return released;
    }

    /// <summary>
    /// A booking still waiting although its payment is recorded (left so by a crash between the two steps before they
    /// were one transaction) is confirmed, not released and not asked about again and again.
    /// </summary>
    private async Task ConfirmStrandedAsync(CancellationToken ct)
    {
        var stranded = await (from b in db.Bookings.AsNoTracking()
                              join p in db.Payments on b.Id equals p.BookingId
                              where b.Status == BookingStatus.Requested && p.Kind == PaymentKind.Payment
                              select b.Id).ToListAsync(ct);
        foreach (var bookingId in stranded)
            if ((await engine.ConfirmPaidAsync(bookingId, ct)).Booking is not null)
                log.LogWarning("Booking {BookingId} had its payment recorded but was still waiting; confirmed", bookingId);
    }

    /// <summary>
    /// A booking whose WeChat payment went through but whose notification has not arrived must not lose its place:
    /// WeChat Pay is asked first. If it cannot be asked, the booking waits for the next run rather than being released.
    /// </summary>
    private async Task<bool> PaidAfterAllAsync(long bookingId, CancellationToken ct)
    {
        if (!payOptions.Value.Enabled) return false;
        try
        {
            return await payments.CheckAsync(bookingId, ct);
        }
        catch (Exception e) when (WeChatSetup.Unreachable(e) && !ct.IsCancellationRequested)
        {
            log.LogWarning("WeChat Pay could not be asked about booking {BookingId}; it is released on a later run", bookingId);
            return true;
        }
    }
}

/// <summary>Looks for unpaid bookings past their payment window every minute.</summary>
[DisallowConcurrentExecution]
public sealed class UnpaidBookingsJob(UnpaidBookings unpaid) : IJob
{
    public static readonly JobKey Key = new("unpaid-bookings", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await unpaid.ReleaseExpiredAsync(ct);
}
