using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Payments;

public sealed record TakePaymentRequest(PaymentMethod Method, [property: Range(1, 10_000_000)] long AmountFen);

public sealed record ReceiptResponse(
    long PaymentId, string ReceiptNumber, string Kind, string Method, long AmountFen, DateTime At, string Station, string? ReceivedBy,
    long BookingId, int ElderId, string ElderName, string MaskedIdNumber, string ServiceName, DateOnly Date, TimeOnly Start, TimeOnly End,
    long ListFen, long SubsidyFen, long PayableFen);

/// <summary>Money owed back on a booking, and how: WeChat Pay returns it by itself; cash, card and scans are handed back at the station.</summary>
public sealed record RefundOwed(PaymentMethod Method, long AmountFen)
{
    /// <summary>What the elder is told, truthfully: where the money comes back.</summary>
    public string ForElder => Method == PaymentMethod.WeChatPay
        ? $"已付的{AmountFen / 100m:0.##}元将原路退回微信。"
        : $"已付的{AmountFen / 100m:0.##}元请到驿站窗口领取。";
}

/// <summary>
/// Takes the self-paid part of a booking at the station window (cash, card, or the elder scanning the station's
/// WeChat code) and gives it back when the booking is cancelled or rejected. The whole amount is taken at once;
/// one payment per booking, so a second click is refused rather than charged.
/// </summary>
public sealed class PaymentLedger(EldercareDb db, AccessPolicy access, IdNumberProtector ids, BookingReminders reminders, TimeProvider clock, ILogger<PaymentLedger> log)
{
    public static readonly Problem NotPayable = new("not-payable", 409, "这个预约已取消或作废，不能收款");
    public static readonly Problem NothingToPay = new("nothing-to-pay", 409, "这项服务已全额补贴，老人不用付钱");
    public static readonly Problem AlreadyPaid = new("already-paid", 409, "这个预约已经收过款了");
    public static readonly Problem WrongAmount = new("wrong-amount", 400, "收款金额与应付金额不一致");
    public static readonly Problem WindowOnly = new("window-only", 403, "收款由驿站窗口办理");
    public static readonly Problem PaymentNotFound = new("payment-not-found", 404, "没有找到这笔收款");

    public static readonly BookingStatus[] Payable = [.. Booking.Holding, BookingStatus.Completed, BookingStatus.Rated];

    /// <summary>
    /// Takes the whole self-paid part at the window, in one transaction under the elder's lock that every change of
    /// the elder's bookings takes: a cancel arriving at the same moment either comes first (then nothing is taken) or
    /// after (then the money is owed back).
    /// </summary>
    public async Task<Outcome<ReceiptResponse>> TakeAsync(Actor actor, long bookingId, TakePaymentRequest request, CancellationToken ct)
    {
        if (!AccessPolicy.AtTheWindow(actor)) return WindowOnly;
        var elderId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
        if (elderId is null) return BookingProblems.BookingNotFound;
        if (await access.CheckElderAsync(actor, elderId.Value, write: true, ct) is { } denied) return denied;

        Payment payment;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.LockElderAsync(elderId.Value, ct);
            var booking = await db.Bookings.SingleAsync(b => b.Id == bookingId, ct);
            if (!Payable.Contains(booking.Status)) return NotPayable;
            if (booking.PayableFen == 0) return NothingToPay;
            if (booking.PaidFen > 0) return AlreadyPaid;
            if (request.AmountFen != booking.PayableFen)
                return new Refusal(WrongAmount, $"应收 {booking.PayableFen / 100m:0.00} 元", new Dictionary<string, object?> { ["payableFen"] = booking.PayableFen });

            payment = new Payment
            {
                BookingId = booking.Id, ElderId = booking.ElderId, Kind = PaymentKind.Payment, Method = request.Method, AmountFen = request.AmountFen,
                StationId = actor.StationId, StaffAccountId = actor.Id, At = clock.GetUtcNow().UtcDateTime,
            };
            db.Payments.Add(payment);
            booking.PaidFen = request.AmountFen;
            // A mini-program booking that waited for payment at the window is confirmed by it, as a WeChat payment would.
            if (booking.Status == BookingStatus.Requested) BookingEngine.ConfirmPaid(booking, actor, payment.At, "窗口收款", reminders);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        log.LogInformation("Payment {PaymentId} of {AmountFen} fen taken for booking {BookingId} by {Method}", payment.Id, payment.AmountFen, bookingId, payment.Method);
        return (await ReceiptAsync(payment.Id, ct))!; // just written, in this transaction's commit
    }

    /// <summary>
    /// Records that a cancelled or rejected booking's payment is owed back, by the way it was paid, to be given back by
    /// the station that took it (cash, card, scan) or by WeChat Pay. Called inside the status change's transaction,
    /// which holds the elder's lock.
    /// </summary>
    public async Task<RefundOwed?> AddRefundAsync(Booking booking, Actor actor, DateTime now, CancellationToken ct)
    {
        if (booking.PaidFen == 0) return null;
        var paid = await db.Payments.AsNoTracking().SingleAsync(p => p.BookingId == booking.Id && p.Kind == PaymentKind.Payment, ct);
        var owed = new RefundOwed(paid.Method, booking.PaidFen);
        AddRefundOwed(booking, paid.Method, booking.PaidFen, paid.StationId, actor, now);
        booking.PaidFen = 0;
        return owed;
    }

    /// <summary>A refund owed on a booking, added to the caller's batch (inside a transaction holding the elder's lock).</summary>
    public void AddRefundOwed(Booking booking, PaymentMethod method, long amountFen, int? stationId, Actor actor, DateTime now) =>
        db.Payments.Add(new Payment
        {
            BookingId = booking.Id, ElderId = booking.ElderId, Kind = PaymentKind.Refund, Method = method, AmountFen = -amountFen,
            StationId = stationId, StaffAccountId = actor.Kind == PrincipalKind.Staff ? actor.Id : null, At = now,
        });

    /// <summary>Records a payment WeChat Pay reported; false when this booking's payment is recorded already (a repeated notification).</summary>
    public async Task<bool> RecordOnlinePaymentAsync(Booking booking, long amountFen, DateTime at, CancellationToken ct) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO payments (booking_id, elder_id, kind, method, amount_fen, at)
            VALUES ({booking.Id}, {booking.ElderId}, {nameof(PaymentKind.Payment)}, {nameof(PaymentMethod.WeChatPay)}, {amountFen}, {at})
            ON CONFLICT (booking_id, kind) DO NOTHING
            """, ct) == 1;

    /// <summary>What was paid for a booking (0 when nothing was).</summary>
    public Task<long> PaidFenAsync(long bookingId, CancellationToken ct) =>
        db.Payments.Where(p => p.BookingId == bookingId && p.Kind == PaymentKind.Payment).SumAsync(p => p.AmountFen, ct);

    public async Task<ReceiptResponse?> ReceiptAsync(long paymentId, CancellationToken ct)
    {
        var found = await (from p in db.Payments.AsNoTracking()
                           join b in db.Bookings on p.BookingId equals b.Id
                           join e in db.Elders on p.ElderId equals e.Id
                           where p.Id == paymentId
                           select new
                           {
                               Payment = p, Booking = b, e.Name, e.IdNumberCipher,
                               Station = db.Stations.Where(s => s.Id == p.StationId).Select(s => s.Name).FirstOrDefault(),
                               // A refund's slip names who handed the money back, once someone has.
                               Staff = db.StaffAccounts.Where(s => s.Id == (p.SettledByStaffId ?? p.StaffAccountId)).Select(s => s.DisplayName).FirstOrDefault(),
                           }).SingleOrDefaultAsync(ct);
        if (found is null) return null;
        var (payment, booking) = (found.Payment, found.Booking);
        return new ReceiptResponse(payment.Id, payment.ReceiptNumber(DateOnly.FromDateTime(BusinessTime.ToBusinessTime(payment.At))), payment.Kind.ToString(),
            payment.Method.ToString(), payment.AmountFen, payment.SettledAt ?? payment.At, found.Station ?? "", found.Staff, booking.Id, booking.ElderId, found.Name,
            ids.Mask(found.IdNumberCipher), booking.ServiceName, booking.Date, booking.Start, booking.End,
            booking.ListPriceFen, booking.SubsidyFen, booking.PayableFen);
    }
}

public static class PaymentEndpoints
{
    public static IServiceCollection AddPayments(this IServiceCollection services) =>
        services.AddScoped<PaymentLedger>().AddScoped<WeChatPayNotifications>().AddScoped<WeChatRefunds>().AddWeChatPay();

    public static void MapWindowPayments(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/bookings/{id:long}/payments", async (long id, TakePaymentRequest body, Actor actor, PaymentLedger ledger, CancellationToken ct) =>
                (await ledger.TakeAsync(actor, id, body, ct)).ToHttp(receipt => Results.Created($"/api/payments/{receipt.PaymentId}/receipt", receipt)))
            .WithTags("Payments").RequireAuthorization()
            .Produces<ReceiptResponse>(StatusCodes.Status201Created).WithSummary("Take a booking's self-paid part at the window (Cash, Card, WeChatScan); answers the receipt");

        app.MapRefundsOwed();

        app.MapGet("/api/payments/{id:long}/receipt", async (long id, Actor actor, PaymentLedger ledger, AccessPolicy access, CancellationToken ct) =>
            {
                var receipt = await ledger.ReceiptAsync(id, ct);
                if (receipt is null) return PaymentLedger.PaymentNotFound.ToResult();
                if (await access.CheckElderAsync(actor, receipt.ElderId, write: false, ct) is { } denied) return denied.ToResult();
                return Results.Ok(receipt);
            })
            .WithTags("Payments").RequireAuthorization().Produces<ReceiptResponse>().WithSummary("A payment's receipt, to print at the window");
    }
}
