using System.Globalization;
using System.Text.Json;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Payments;

/// <summary>
/// The elder's self-paid part paid in the mini-program with WeChat Pay. The order number is the booking's
/// ("EC" and the booking id), so asking to pay twice gives the same WeChat order; WeChat Pay's notification is
/// the only thing that marks a booking paid, and it is applied once: the payment row is unique per booking, so a
/// replayed or repeated notification finds it there and changes nothing.
/// </summary>
public static class WeChatPayments
{
    public static readonly Problem NotConfigured = new("wechat-pay-not-configured", 503, "微信支付暂未开通，请到驿站窗口付款");
    public static readonly Problem MiniProgramOnly = new("wechat-pay-mini-program-only", 403, "微信支付只能在小程序里由老人或家属发起");
    public static readonly Problem NoWeChat = new("wechat-not-linked", 409, "请先用微信登录小程序");
    public static readonly Problem Refused = new("wechat-pay-refused", 502, "微信支付没有受理这笔订单，请稍后再试或到驿站窗口付款");

    private const string OrderPrefix = "EC";

    public static string OrderNumber(long bookingId) => OrderPrefix + bookingId.ToString("D10", CultureInfo.InvariantCulture);

    public static void MapWeChatPayments(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/bookings/{id:long}/wechat-pay", async (long id, Actor actor, AccessPolicy access, EldercareDb db, WeChatPayClient pay,
            IOptions<WeChatOptions> wechat, IOptions<WeChatPayOptions> payOptions, IOptions<BookingOptions> bookingOptions, TimeProvider clock, CancellationToken ct) =>
        {
            if (!payOptions.Value.Enabled || !wechat.Value.Enabled) return NotConfigured.ToResult();
            if (actor.Kind is not (PrincipalKind.Elder or PrincipalKind.Family)) return MiniProgramOnly.ToResult();
            var booking = await db.Bookings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
            if (booking is null) return BookingProblems.BookingNotFound.ToResult();
            if (await access.CheckElderAsync(actor, booking.ElderId, write: true, ct) is { } denied) return denied.ToResult();
            if (!Booking.Holding.Contains(booking.Status)) return PaymentLedger.NotPayable.ToResult();
            if (booking.PayableFen == 0) return PaymentLedger.NothingToPay.ToResult();
            if (booking.PaidFen > 0) return PaymentLedger.AlreadyPaid.ToResult();
            var person = actor.Kind == PrincipalKind.Elder
                ? await db.Elders.Where(e => e.Id == actor.Id).Select(e => new { OpenId = e.WeChatOpenId }).SingleOrDefaultAsync(ct)
                : await db.FamilyMembers.Where(f => f.Id == actor.Id).Select(f => new { OpenId = f.WeChatOpenId }).SingleOrDefaultAsync(ct);
            if (person is null) return Problems.SessionEnded.ToResult();
            if (person.OpenId is not { } openId) return NoWeChat.ToResult();

            // A booking waiting for payment is released at the end of its window: WeChat stops taking money a little before.
            var now = clock.GetUtcNow().UtcDateTime;
            var expiresAt = booking.Status == BookingStatus.Requested
                ? (booking.PayBy ?? booking.CreatedAt + bookingOptions.Value.PaymentWindow) - TimeSpan.FromMinutes(1)
                : now.AddMinutes(15);
            if (expiresAt <= now) return PaymentLedger.NotPayable.ToResult("付款时间已过");
            PayAnswer answer;
            try
            {
                answer = await pay.CreateJsapiOrderAsync(wechat.Value.AppId, OrderNumber(booking.Id), $"{booking.ServiceName} {booking.Date:M月d日}",
                    booking.PayableFen, openId, expiresAt, ct);
            }
            catch (Exception e) when (WeChatSetup.Unreachable(e))
            {
                return Refused.ToResult("微信支付暂时连不上");
            }
            if (!answer.Ok) return answer.Code == "ORDERPAID" ? PaymentLedger.AlreadyPaid.ToResult("微信显示已付款，稍候会自动更新") : Refused.ToResult(answer.Message);
            return Results.Ok(pay.ParametersFor(wechat.Value.AppId, answer.Body.GetProperty("prepay_id").GetString()!));
        }).WithTags("Payments").RequireAuthorization()
          .Produces<PaymentParameters>().WithSummary("Pay a booking's self-paid part with WeChat Pay: the signed parameters for wx.requestPayment");

        app.MapPost("/api/bookings/{id:long}/wechat-pay/check", async (long id, Actor actor, AccessPolicy access, EldercareDb db,
            WeChatPayNotifications notifications, IOptions<WeChatPayOptions> payOptions, CancellationToken ct) =>
        {
            if (!payOptions.Value.Enabled) return NotConfigured.ToResult();
            if (actor.Kind is not (PrincipalKind.Elder or PrincipalKind.Family)) return MiniProgramOnly.ToResult();
            var elderId = await db.Bookings.Where(b => b.Id == id).Select(b => (int?)b.ElderId).SingleOrDefaultAsync(ct);
            if (elderId is null) return BookingProblems.BookingNotFound.ToResult();
            if (await access.CheckElderAsync(actor, elderId.Value, write: false, ct) is { } denied) return denied.ToResult();
            try
            {
                await notifications.CheckAsync(id, ct);
            }
            catch (Exception e) when (WeChatSetup.Unreachable(e))
            {
                // WeChat Pay unreachable: the notification will still come; the booking is shown as it stands.
            }
            var booking = await db.Bookings.AsNoTracking().Include(b => b.History).SingleAsync(b => b.Id == id, ct);
            return Results.Ok(booking.ToResponse());
        }).WithTags("Payments").RequireAuthorization()
          .Produces<BookingResponse>().WithSummary("After paying: asks WeChat Pay about the order, in case its notification is late, and answers the booking");

        app.MapPost("/api/wechat-pay/notify", async (HttpRequest request, WeChatPayClient pay, WeChatPayNotifications notifications, CancellationToken ct) =>
        {
            // The exact bytes are what WeChat Pay signed; a body larger than any real notification is not read.
            if (request.ContentLength is > 64 * 1024) return Fail(413, "通知太大");
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            var h = request.Headers;
            var (notification, refusal) = pay.ReadNotification(h["Wechatpay-Timestamp"].FirstOrDefault(), h["Wechatpay-Nonce"].FirstOrDefault(),
                h["Wechatpay-Signature"].FirstOrDefault(), h["Wechatpay-Serial"].FirstOrDefault(), body);
            if (notification is null)
            {
                notifications.Refused(refusal!);
                return Fail(401, refusal!);
            }
            await notifications.ApplyAsync(notification, ct);
            return Results.NoContent();
        }).WithTags("Payments").AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>WeChat Pay reads {code, message} on a failure and sends the notification again later.</summary>
    private static IResult Fail(int status, string message) => Results.Json(new { code = "FAIL", message }, statusCode: status);
}

/// <summary>Applies WeChat Pay notifications that passed their checks, each at most once.</summary>
public sealed class WeChatPayNotifications(EldercareDb db, BookingEngine engine, WeChatPayClient pay, ILogger<WeChatPayNotifications> log)
{
    public void Refused(string reason) => log.LogWarning("A WeChat Pay notification was refused: {Reason}", reason);

    public async Task ApplyAsync(PayNotification notification, CancellationToken ct)
    {
        if (notification.EventType != "TRANSACTION.SUCCESS")
        {
            log.LogInformation("WeChat Pay notification {EventType} acknowledged", notification.EventType);
            return;
        }
        await ApplyTransactionAsync(notification.Resource, ct);
    }

    /// <summary>
    /// Asks WeChat Pay about a booking's order and applies it if it was paid: for when a notification is late or lost
    /// (the payer is back in the mini-program, or the payment window is closing). True when the booking is paid.
    /// </summary>
    public async Task<bool> CheckAsync(long bookingId, CancellationToken ct)
    {
        var answer = await pay.QueryAsync(WeChatPayments.OrderNumber(bookingId), ct);
        if (!answer.Ok || answer.Body.GetProperty("trade_state").GetString() != "SUCCESS") return false;
        await ApplyTransactionAsync(answer.Body, ct);
        return true;
    }

    /// <summary>A WeChat Pay transaction (from a notification or a query), applied at most once.</summary>
    private async Task ApplyTransactionAsync(JsonElement r, CancellationToken ct)
    {
        var outTradeNo = r.GetProperty("out_trade_no").GetString() ?? "";
        var total = r.GetProperty("amount").GetProperty("total").GetInt64();
        if (r.GetProperty("trade_state").GetString() != "SUCCESS" || !outTradeNo.StartsWith("EC", StringComparison.Ordinal)
            || !long.TryParse(outTradeNo.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var bookingId))
        {
            log.LogWarning("WeChat Pay notification for order {OutTradeNo} is not a payment of a booking", outTradeNo);
            return;
        }
        var booking = await db.Bookings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == bookingId, ct);
        if (booking is null || total != booking.PayableFen)
        {
            // Money that does not fit any booking is left for the station's reconciliation, never booked as paid.
            log.LogError("WeChat Pay order {OutTradeNo} paid {Total} fen does not fit booking {BookingId}", outTradeNo, total, bookingId);
            return;
        }

        switch (await engine.RecordOnlinePaymentAsync(booking.Id, total, ct))
        {
            case OnlinePaymentOutcome.AlreadyApplied:
                log.LogInformation("WeChat Pay order {OutTradeNo} was already applied", outTradeNo);
                break;
            case OnlinePaymentOutcome.OwedBack:
                log.LogWarning("Booking {BookingId} was no longer payable when its WeChat payment arrived; the payment is owed back", booking.Id);
                break;
            default:
                log.LogInformation("Booking {BookingId} paid {Total} fen with WeChat Pay", booking.Id, total);
                break;
        }
    }
}
