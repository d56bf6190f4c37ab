using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Payments;

/// <summary>
/// Gives back mini-program payments: every refund owed on a WeChat Pay payment (a cancelled or rejected booking, a
/// payment that came after the booking was released) is sent to WeChat Pay, which returns the money to the payer.
/// The refund number is the refund row's own, so sending it again (a lost answer, two nodes) never refunds twice.
/// </summary>
public sealed class WeChatRefunds(EldercareDb db, WeChatPayClient pay, TimeProvider clock, ILogger<WeChatRefunds> log)
{
    public async Task<int> SendPendingAsync(CancellationToken ct)
    {
        var owed = await (from r in db.Payments.AsNoTracking()
                          join p in db.Payments on new { r.BookingId, Kind = PaymentKind.Payment } equals new { p.BookingId, p.Kind }
                          where r.Kind == PaymentKind.Refund && r.Method == PaymentMethod.WeChatPay && r.SettledAt == null
                          orderby r.Id
                          select new { Refund = r, PaidFen = p.AmountFen }).Take(100).ToListAsync(ct);
        var sent = 0;
        foreach (var x in owed)
        {
            PayAnswer answer;
            try
            {
                answer = await pay.RefundAsync(WeChatPayments.OrderNumber(x.Refund.BookingId), $"RF{x.Refund.Id:D10}", -x.Refund.AmountFen, x.PaidFen, "预约取消，退回老人自付部分", ct);
            }
            catch (Exception e) when (WeChatSetup.Unreachable(e) && !ct.IsCancellationRequested)
            {
                log.LogWarning("WeChat Pay could not be reached for refunds ({Reason}); {Count} wait for the next run", e.Message, owed.Count - sent);
                return sent;
            }
            if (!answer.Ok)
            {
                log.LogError("WeChat Pay refused refund {PaymentId}: {Code} {Message}", x.Refund.Id, answer.Code, answer.Message);
                continue;
            }
            await db.Payments.Where(p => p.Id == x.Refund.Id && p.SettledAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.SettledAt, clock.GetUtcNow().UtcDateTime), ct);
            sent++;
        }
        if (sent > 0) log.LogInformation("Sent {Count} refunds to WeChat Pay", sent);
        return sent;
    }
}

/// <summary>Sends owed WeChat Pay refunds every minute (only when WeChat Pay is configured).</summary>
[DisallowConcurrentExecution]
public sealed class WeChatRefundsJob(WeChatRefunds refunds) : IJob
{
    public static readonly JobKey Key = new("wechat-refunds", "payments");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await refunds.SendPendingAsync(ct);
}
