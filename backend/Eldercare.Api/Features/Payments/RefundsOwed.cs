using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Payments;

public enum RefundState { Owed, Settled }

/// <summary>A refund owed (or given back) at a station: whose, for what, how much, by which way it was paid.</summary>
public sealed record RefundOwedResponse(long Id, long BookingId, int ElderId, string ElderName, string ServiceName, DateOnly Date, TimeOnly Start,
    string Method, long AmountFen, DateTime OwedSince, DateTime? SettledAt, string? SettledBy);

/// <summary>
/// Refunds owed are records with an owner. A cancelled or rejected booking that was paid at a window owes the money back
/// at the station that took it: the station sees the list, hands the cash back (or reverses the card or scan payment),
/// records it and prints the slip; from then on it is settled and nobody can settle it twice. Refunds of WeChat Pay
/// payments are sent back by the hub itself (<see cref="WeChatRefunds"/>) and settled when WeChat Pay accepts them.
/// </summary>
public static class RefundsOwed
{
    public static readonly Problem RefundNotFound = new("refund-not-found", 404, "没有找到这笔退款");
    public static readonly Problem RefundSettled = new("refund-settled", 409, "这笔退款已经退还过了");
    public static readonly Problem RefundIsOnline = new("refund-is-online", 409, "微信支付的退款由系统原路退回，不用在窗口退");

    public static void MapRefundsOwed(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stations/{stationId:int}/refunds", async (int stationId, RefundState? state, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            if (!AccessPolicy.SeesMoneyOf(actor, stationId)) return Problems.Forbidden.ToResult();
            var settled = state == RefundState.Settled;
            var rows = await (from r in db.Payments.AsNoTracking()
                              join b in db.Bookings on r.BookingId equals b.Id
                              join e in db.Elders on r.ElderId equals e.Id
                              where r.Kind == PaymentKind.Refund && r.StationId == stationId && (r.SettledAt != null) == settled
                              orderby r.At
                              select new RefundOwedResponse(r.Id, b.Id, e.Id, e.Name, b.ServiceName, b.Date, b.Start, r.Method.ToString(), -r.AmountFen, r.At, r.SettledAt,
                                  db.StaffAccounts.Where(s => s.Id == r.SettledByStaffId).Select(s => s.DisplayName).FirstOrDefault()))
                .Take(500).ToListAsync(ct);
            return Results.Ok(rows);
        }).WithTags("Payments").RequireAuthorization()
          .Produces<List<RefundOwedResponse>>().WithSummary("Refunds a station owes (state=Owed, the default) or has given back (state=Settled), oldest first (clerks, station managers, officers)");

        app.MapPost("/api/refunds/{id:long}/hand-over", async (long id, Actor actor, EldercareDb db, PaymentLedger ledger, TimeProvider clock, CancellationToken ct) =>
        {
            var refund = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.Kind == PaymentKind.Refund, ct);
            if (refund is null) return RefundNotFound.ToResult();
            if (!AccessPolicy.AtTheWindowOf(actor, refund.StationId))
                return PaymentLedger.WindowOnly.ToResult("退款由收款的驿站窗口办理");
            if (refund.Method == PaymentMethod.WeChatPay) return RefundIsOnline.ToResult();
            // Conditional: two clicks (or two clerks) settle it once.
            var settled = await db.Payments.Where(p => p.Id == id && p.SettledAt == null).ExecuteUpdateAsync(s => s
                .SetProperty(p => p.SettledAt, clock.GetUtcNow().UtcDateTime).SetProperty(p => p.SettledByStaffId, actor.Id), ct);
            if (settled == 0) return RefundSettled.ToResult();
            return Results.Ok(await ledger.ReceiptAsync(id, ct));
        }).WithTags("Payments").RequireAuthorization()
          .Produces<ReceiptResponse>().WithSummary("Record that a refund owed was handed back at the window (the station that took the payment); answers the refund slip");
    }
}
