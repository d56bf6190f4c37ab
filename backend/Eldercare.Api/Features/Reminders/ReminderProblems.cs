using Eldercare.Api.Infrastructure.Errors;

namespace Eldercare.Api.Features.Reminders;

public static class ReminderProblems
{
    public static readonly Problem DeliveryNotFound = new("delivery-not-found", 404, "没有找到这条通知");
    public static readonly Problem DeliveryClosed = new("delivery-closed", 409, "这条通知的结果已经登记过了");
    public static readonly Problem DeliveryWaiting = new("delivery-waiting", 409, "这条通知正等着稍后再打，这次的结果已经登记过了");
}
