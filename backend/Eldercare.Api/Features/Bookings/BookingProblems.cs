using Eldercare.Api.Infrastructure.Errors;

namespace Eldercare.Api.Features.Bookings;

/// <summary>The booking engine's refusals. Their titles are said to elders as they are (screens and the hotline).</summary>
public static class BookingProblems
{
    public static readonly Problem SlotFull = new("slot-full", 409, "这个时段已经约满了，可以排队候补");
    public static readonly Problem ElderBusy = new("elder-busy", 409, "这个时间已经有别的预约了");
    public static readonly Problem SlotClosed = new("slot-closed", 409, "这个时段暂停服务了");
    public static readonly Problem NotCancellable = new("not-cancellable", 409, "这个预约现在不能取消了");
    public static readonly Problem InvalidTransition = new("invalid-transition", 409, "这个预约现在不能改成这个状态");
    public static readonly Problem StaffOnly = new("staff-only", 403, "只有驿站工作人员可以更新服务进度");
    public static readonly Problem AlreadyWaiting = new("already-waiting", 409, "已经在排队候补了");
    public static readonly Problem SlotAvailable = new("slot-available", 409, "还有空位，请直接预约");
    public static readonly Problem NotEligible = new("not-eligible", 422, "不符合这项服务的条件");
    public static readonly Problem CutOffPassed = new("cut-off-passed", 422, "已经过了预约截止时间");
    public static readonly Problem ElderInactive = new("elder-inactive", 422, "老人现在住院、外出或已故，暂时不能预约");
    public static readonly Problem ModeNotOffered = new("mode-not-offered", 422, "这项服务不提供所选的方式");
    public static readonly Problem OutsideZone = new("outside-zone", 422, "上门和送餐服务只由老人所在片区的驿站提供");
    public static readonly Problem IdempotencyKeyReused = new("idempotency-key-reused", 422, "这个请求编号已经用于另一笔不同的预约");
    public static readonly Problem IdempotencyKeyRequired = new("idempotency-key-required", 400, "缺少请求编号（Idempotency-Key），请重新提交");
    public static readonly Problem NoWayToPay = new("no-way-to-pay", 422, "现在还不能在小程序里付款，请到驿站窗口或拨打热线预约");
    public static readonly Problem SlotNotFound = new("slot-not-found", 404, "没有找到这个时段");
    public static readonly Problem ServiceNotFound = new("service-not-found", 404, "没有找到这项服务");
    public static readonly Problem BookingNotFound = new("booking-not-found", 404, "没有找到这个预约");
    public static readonly Problem NotAHomeVisit = new("not-a-home-visit", 409, "只有上门服务需要派护理员");
    public static readonly Problem CaregiverCannotBathe = new("caregiver-cannot-bathe", 422, "这位护理员没有助浴资质");
    public static readonly Problem CaregiverBusy = new("caregiver-busy", 409, "这位护理员这个时间已经有别的上门服务了");
    public static readonly Problem MealAlreadyServed = new("meal-already-served", 409, "这顿饭已经领过了");
    public static readonly Problem MealCancelled = new("meal-cancelled", 409, "这份餐刚刚取消了，不能再领");
    public static readonly Problem AlreadyRated = new("already-rated", 409, "这次服务已经评价过了，谢谢您");
    public static readonly Problem NotYetCompleted = new("not-yet-completed", 409, "服务完成后才能评价");
    public static readonly Problem RatersOnly = new("elders-and-family-rate", 403, "评价由老人或家属在小程序里提交");
    public static readonly Problem NoShowTooEarly = new("no-show-too-early", 409, "服务时间还没到，不能记为未到");
    public static readonly Problem CaregiverNotFound = new("caregiver-not-found", 404, "没有找到这位护理员，或不是本站的护理员");
    public static readonly Problem WaitlistNotFound = new("waitlist-not-found", 404, "没有找到这条候补");
}
