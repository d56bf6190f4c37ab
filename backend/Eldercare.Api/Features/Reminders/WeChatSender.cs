using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.WeChat;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Eldercare.Api.Features.Reminders;

/// <summary>
/// Sends queued WeChat deliveries as subscribe messages. A message that reached WeChat is marked Delivered at once; a
/// recipient WeChat cannot reach (no subscription left, unknown user) or a message WeChat rejects falls back to the
/// elder's next channel; anything else (WeChat busy, network) stays queued for the next run.
/// </summary>
public sealed class WeChatSender(EldercareDb db, WeChatClient wechat, DeliveryOutcomes outcomes, IOptions<WeChatOptions> options, ILogger<WeChatSender> log)
{
    /// <summary>Subscribe-message fields take at most 20 characters.</summary>
    private const int FieldLength = 20;

    public async Task<int> SendQueuedAsync(int batchSize, CancellationToken ct)
    {
        var queued = await (from d in db.Deliveries.AsNoTracking()
                            join r in db.Reminders on d.ReminderId equals r.Id
                            where d.Channel == DeliveryChannel.WeChat && d.Status == DeliveryStatus.Queued
                            orderby d.Id
                            select new { Delivery = d, r.Kind, r.BookingId }).Take(batchSize).ToListAsync(ct);
        if (queued.Count == 0) return 0;
        var elderIds = queued.Where(q => q.Delivery.RecipientKind == RecipientKind.Elder).Select(q => q.Delivery.RecipientId).Distinct().ToList();
        var familyIds = queued.Where(q => q.Delivery.RecipientKind == RecipientKind.FamilyMember).Select(q => q.Delivery.RecipientId).Distinct().ToList();
        var elderOpenIds = await db.Elders.Where(e => elderIds.Contains(e.Id) && e.WeChatOpenId != null).ToDictionaryAsync(e => e.Id, e => e.WeChatOpenId!, ct);
        var familyOpenIds = await db.FamilyMembers.Where(f => familyIds.Contains(f.Id) && f.WeChatOpenId != null).ToDictionaryAsync(f => f.Id, f => f.WeChatOpenId!, ct);

        var sent = 0;
        foreach (var (delivery, kind, bookingId) in queued.Select(q => (q.Delivery, q.Kind, q.BookingId)))
        {
            var openIds = delivery.RecipientKind == RecipientKind.Elder ? elderOpenIds : familyOpenIds;
            if (!openIds.TryGetValue(delivery.RecipientId, out var openId))
            {
                await outcomes.ReportAsync(delivery, kind, false, "已不再使用微信", ct);
                continue;
            }
            WeChatResult result;
            try
            {
                // A tap on the message opens the orders page, where the booking can be paid, cancelled or rated; after a home
                // visit, the order itself, which asks whether it was done.
                var page = kind == ReminderKind.VisitConfirmation && bookingId is { } visited ? $"pages/order/index?id={visited}" : $"pages/orders/index?reminder={delivery.ReminderId}";
                result = await wechat.SendSubscribeMessageAsync(openId, options.Value.TemplateFor(kind), page,
                    new Dictionary<string, string> { ["thing1"] = Subject(kind), ["thing2"] = Fit(delivery.Text) }, ct);
            }
            catch (Exception e) when (WeChatSetup.Unreachable(e) && !ct.IsCancellationRequested)
            {
                log.LogWarning("WeChat could not be reached or did not answer in time ({Reason}); {Count} messages wait for the next run", e.GetType().Name, queued.Count - sent);
                return sent;
            }
            if (result.Ok) await outcomes.ReportAsync(delivery, kind, true, null, ct);
            else if (result.RecipientUnreachable || result.Rejected) await outcomes.ReportAsync(delivery, kind, false, $"微信 {result.ErrCode} {result.ErrMsg}", ct);
            else
            {
                log.LogWarning("WeChat answered {ErrCode}; delivery {DeliveryId} stays queued", result.ErrCode, delivery.Id);
                continue;
            }
            sent++;
        }
        return sent;
    }

    /// <summary>What the message is about, in a few words.</summary>
    private static string Subject(ReminderKind kind) => kind switch
    {
        ReminderKind.BookingConfirmed => "预约成功",
        ReminderKind.BookingCancelled => "预约取消",
        ReminderKind.BookingMoved => "预约改期",
        ReminderKind.WaitlistPromoted => "候补成功",
        ReminderKind.BookingEveningBefore or ReminderKind.BookingSoon => "服务提醒",
        ReminderKind.CheckInUnanswered => "问候电话未接通",
        ReminderKind.MealOrderDue => "订餐提醒",
        ReminderKind.UnpaidBookingReleased => "未付款预约已取消",
        ReminderKind.ServiceCompleted => "服务已完成，请评价",
        ReminderKind.VisitConfirmation => "请确认上门服务",
        ReminderKind.Emergency => "紧急求助",
        _ => "通知",
    };

    /// <summary>The message cut to WeChat's 20 characters; the full text is one tap away in the mini-program.</summary>
    private static string Fit(string text) => text.Length <= FieldLength ? text : text[..(FieldLength - 1)] + "…";
}

/// <summary>Sends queued WeChat messages every few seconds (only when WeChat is configured).</summary>
[DisallowConcurrentExecution]
public sealed class WeChatSendJob(WeChatSender sender) : IJob
{
    public static readonly JobKey Key = new("wechat-send", ReminderDispatchJob.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && await sender.SendQueuedAsync(200, ct) > 0) { }
    }
}
