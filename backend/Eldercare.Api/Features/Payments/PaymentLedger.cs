using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Payments;

public sealed record TakePaymentRequest(PaymentMethod Method, [property: Range(1, 10_000_000)] long AmountFen);

public sealed record ReceiptResponse(
    long PaymentId, string ReceiptNumber, string Kind, string Method, long AmountFen, DateTime At, string Station, string? ReceivedBy,
    long BookingId, int ElderId, string ElderName, string MaskedIdNumber, string ServiceName, DateOnly Date, TimeOnly Start, TimeOnly End,
    long ListFen, long SubsidyFen, long PayableFen);

/// <summary>
/// Takes the self-paid part of a booking at the station window (cash, card, or the elder scanning the station's
/// WeChat code) and gives it back when the booking is cancelled or rejected. The whole amount is taken at once;
/// one payment per booking, so a second click is refused rather than charged.
/// </summary>
public sealed class PaymentLedger(EldercareDb db, AccessPolicy access, TimeProvider clock, ILogger<PaymentLedger> log)
{
    public static readonly Problem NotPayable = new("not-payable", 409, "这个预约已取消或作废，不能收款");
    public static readonly Problem NothingToPay = new("nothing-to-pay", 409, "这项服务已全额补贴，老人不用付钱");
    public static readonly Problem AlreadyPaid = new("already-paid", 409, "这个预约已经收过款了");
    public static readonly Problem WrongAmount = new("wrong-amount", 400, "收款金额与应付金额不一致");
    public static readonly Problem WindowOnly = new("window-only", 403, "收款由驿站窗口办理");
    public static readonly Problem PaymentNotFound = new("payment-not-found", 404, "没有找到这笔收款");

    public static readonly BookingStatus[] Payable = [.. Booking.Holding, BookingStatus.Completed, BookingStatus.Rated];

    public async Task<IResult> TakeAsync(Actor actor, long bookingId, TakePaymentRequest request, CancellationToken ct)
    {
        if (actor is not { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager }) return WindowOnly.ToResult();
        var booking = await db.Bookings.SingleOrDefaultAsync(b => b.Id == bookingId, ct);
        if (booking is null) return BookingProblems.BookingNotFound.ToResult();
        if (await access.CheckElderAsync(actor, booking.ElderId, write: true, ct) is { } denied) return denied.ToResult();
        if (!Payable.Contains(booking.Status)) return NotPayable.ToResult();
        if (booking.PayableFen == 0) return NothingToPay.ToResult();
        if (booking.PaidFen > 0) return AlreadyPaid.ToResult();
        if (request.AmountFen != booking.PayableFen)
            return WrongAmount.ToResult($"应收 {booking.PayableFen / 100m:0.00} 元", new Dictionary<string, object?> { ["payableFen"] = booking.PayableFen });

        var payment = new Payment
        {
            BookingId = booking.Id, ElderId = booking.ElderId, Kind = PaymentKind.Payment, Method = request.Method, AmountFen = request.AmountFen,
            StationId = actor.StationId, StaffAccountId = actor.Id, At = clock.GetUtcNow().UtcDateTime,
        };
        db.Payments.Add(payment);
        booking.PaidFen = request.AmountFen;
        try
        {
            // The unique (booking, kind) index settles two clicks that both passed the check above.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return AlreadyPaid.ToResult();
        }
        log.LogInformation("Payment {PaymentId} of {AmountFen} fen taken for booking {BookingId} by {Method}", payment.Id, payment.AmountFen, booking.Id, payment.Method);
        return Results.Created($"/api/payments/{payment.Id}/receipt", await ReceiptAsync(payment.Id, ct));
    }

    /// <summary>
    /// Records that a cancelled or rejected booking's payment is owed back, by the way it was paid. Called inside the
    /// status change's transaction, which holds the elder's lock.
    /// </summary>
    public async Task AddRefundAsync(Booking booking, Actor actor, DateTime now, CancellationToken ct)
    {
        if (booking.PaidFen == 0) return;
        var paid = await db.Payments.AsNoTracking().SingleAsync(p => p.BookingId == booking.Id && p.Kind == PaymentKind.Payment, ct);
        db.Payments.Add(new Payment
        {
            BookingId = booking.Id, ElderId = booking.ElderId, Kind = PaymentKind.Refund, Method = paid.Method, AmountFen = -booking.PaidFen,
            StationId = paid.StationId, StaffAccountId = actor.Kind == PrincipalKind.Staff ? actor.Id : null, At = now,
        });
        booking.PaidFen = 0;
    }

    public async Task<ReceiptResponse?> ReceiptAsync(long paymentId, CancellationToken ct)
    {
        var found = await (from p in db.Payments.AsNoTracking()
                           join b in db.Bookings on p.BookingId equals b.Id
                           join e in db.Elders on p.ElderId equals e.Id
                           where p.Id == paymentId
                           select new
                           {
                               Payment = p, Booking = b, e.Name, e.IdNumberLast4,
                               Station = db.Stations.Where(s => s.Id == p.StationId).Select(s => s.Name).FirstOrDefault(),
                               Staff = db.StaffAccounts.Where(s => s.Id == p.StaffAccountId).Select(s => s.DisplayName).FirstOrDefault(),
                           }).SingleOrDefaultAsync(ct);
        if (found is null) return null;
        var (payment, booking) = (found.Payment, found.Booking);
        return new ReceiptResponse(payment.Id, payment.ReceiptNumber(DateOnly.FromDateTime(BusinessTime.ToBusinessTime(payment.At))), payment.Kind.ToString(),
            payment.Method.ToString(), payment.AmountFen, payment.At, found.Station ?? "", found.Staff, booking.Id, booking.ElderId, found.Name,
            ChineseIdNumber.Mask(found.IdNumberLast4), booking.ServiceName, booking.Date, booking.Start, booking.End,
            booking.ListPriceFen, booking.SubsidyFen, booking.PayableFen);
    }
}

public static class PaymentEndpoints
{
    public static IServiceCollection AddPayments(this IServiceCollection services) =>
        services.AddScoped<PaymentLedger>().AddScoped<WeChatPayNotifications>().AddScoped<WeChatRefunds>().AddWeChatPay();

    public static void MapWindowPayments(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/bookings/{id:long}/payments", (long id, TakePaymentRequest body, ClaimsPrincipal user, PaymentLedger ledger, CancellationToken ct) =>
                ledger.TakeAsync(Actor.From(user), id, body, ct))
            .WithTags("Payments").RequireAuthorization()
            .WithSummary("Take a booking's self-paid part at the window (Cash, Card, WeChatScan); answers the receipt");

        app.MapGet("/api/payments/{id:long}/receipt", async (long id, ClaimsPrincipal user, PaymentLedger ledger, AccessPolicy access, CancellationToken ct) =>
            {
                var receipt = await ledger.ReceiptAsync(id, ct);
                if (receipt is null) return PaymentLedger.PaymentNotFound.ToResult();
                if (await access.CheckElderAsync(Actor.From(user), receipt.ElderId, write: false, ct) is { } denied) return denied.ToResult();
                return Results.Ok(receipt);
            })
            .WithTags("Payments").RequireAuthorization().WithSummary("A payment's receipt, to print at the window");
    }
}
