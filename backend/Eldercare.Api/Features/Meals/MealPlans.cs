using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Eldercare.Api.Features.Meals;

/// <summary>A standing order: which weekdays (1 = Monday ... 7 = Sunday), which meal, menu, meal point and how it reaches the elder.</summary>
public sealed record CreateMealPlanRequest(
    [property: Range(1, int.MaxValue)] int ElderId,
    [property: Required, MinLength(1), MaxLength(7)] int[] Weekdays,
    MealPeriod Period,
    [property: Range(1, int.MaxValue)] int MenuItemId,
    [property: Range(1, int.MaxValue)] int MealPointId,
    ServiceModes Mode) : IForElder;

public sealed record MealPlanResponse(int Id, int ElderId, IReadOnlyList<int> Weekdays, string Period, int MenuItemId, int MealPointId, string Mode, string Status);

public static class MealPlanEndpoints
{
    public static readonly Problem BadWeekday = new("bad-weekday", 400, "星期要写成1到7（星期一到星期日）");
    public static readonly Problem NotAMenu = new("not-a-menu", 422, "所选的不是餐食，或这个助餐点不供应");
    public static readonly Problem PlanNotFound = new("meal-plan-not-found", 404, "没有找到这个长期订餐");

    public static void MapMealPlanEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/meal-plans").WithTags("Meals").RequireAuthorization();

        group.MapPost("/", async (CreateMealPlanRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (body.Weekdays.Any(d => d is < 1 or > 7)) return BadWeekday.ToResult();
            var menu = await db.CatalogItems.AsNoTracking().SingleOrDefaultAsync(i => i.Id == body.MenuItemId, ct);
            var servesIt = await db.SlotTemplates.AnyAsync(t => t.CatalogItemId == body.MenuItemId && t.ResourceId == body.MealPointId && t.MealPeriod == body.Period && t.IsActive, ct);
            if (menu is not { Line: ServiceLine.Meals } || !servesIt) return NotAMenu.ToResult();
            if (!menu.Modes.HasFlag(body.Mode) || body.Mode == ServiceModes.None) return BookingProblems.ModeNotOffered.ToResult();
            var elder = await db.Elders.AsNoTracking().SingleOrDefaultAsync(e => e.Id == body.ElderId, ct);
            if (elder is null) return AccessPolicy.ElderNotFound.ToResult();
            if (menu.IneligibilityReason(elder, clock.Today()) is { } why) return BookingProblems.NotEligible.ToResult(why);

            var now = clock.GetUtcNow().UtcDateTime;
            var plan = new MealPlan
            {
                ElderId = elder.Id, Weekdays = body.Weekdays.Aggregate(0, (bits, d) => bits | (1 << d)), Period = body.Period,
                MenuItemId = menu.Id, ResourceId = body.MealPointId, Mode = body.Mode, Status = MealPlanStatus.Active,
                Channel = actor.Channel, CreatedByKind = actor.HistoryKind, CreatedById = actor.HistoryId, CreatedAt = now, UpdatedAt = now,
            };
            db.MealPlans.Add(plan);
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/meal-plans/{plan.Id}", plan.ToResponse());
        }).ForElder(write: true).Produces<MealPlanResponse>(StatusCodes.Status201Created).WithSummary("Start a standing meal order; it books each meal before the cut-off");

        group.MapGet("/", async (int elderId, Actor actor, EldercareDb db, CancellationToken ct) =>
        {
            var plans = await db.MealPlans.AsNoTracking().Where(p => p.ElderId == elderId && p.Status != MealPlanStatus.Ended).OrderBy(p => p.Id).ToListAsync(ct);
            return Results.Ok(plans.Select(p => p.ToResponse()));
        }).ForElder(write: false).Produces<List<MealPlanResponse>>().WithSummary("An elder's standing meal orders");

        group.MapPost("/{id:int}/pause", (int id, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
            ChangeAsync(id, MealPlanStatus.Paused, actor, access, db, clock, ct)).Produces<MealPlanResponse>().WithSummary("Pause a standing order (no new bookings)");
        group.MapPost("/{id:int}/resume", (int id, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
            ChangeAsync(id, MealPlanStatus.Active, actor, access, db, clock, ct)).Produces<MealPlanResponse>().WithSummary("Resume a paused standing order");
        group.MapDelete("/{id:int}", (int id, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
            ChangeAsync(id, MealPlanStatus.Ended, actor, access, db, clock, ct)).Produces(StatusCodes.Status204NoContent).WithSummary("End a standing order");
    }

    private static async Task<IResult> ChangeAsync(int id, MealPlanStatus to, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct)
    {
        var plan = await db.MealPlans.SingleOrDefaultAsync(p => p.Id == id && p.Status != MealPlanStatus.Ended, ct);
        if (plan is null) return PlanNotFound.ToResult();
        if (await access.CheckElderAsync(actor, plan.ElderId, write: true, ct) is { } denied) return denied.ToResult();
        plan.Status = to;
        plan.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return to == MealPlanStatus.Ended ? Results.NoContent() : Results.Ok(plan.ToResponse());
    }

    private static MealPlanResponse ToResponse(this MealPlan p) => new(p.Id, p.ElderId,
        Enumerable.Range(1, 7).Where(d => (p.Weekdays & (1 << d)) != 0).ToList(), p.Period.ToString(), p.MenuItemId, p.ResourceId, p.Mode.ToString(), p.Status.ToString());
}

/// <summary>
/// Books the meals of active standing orders for today and tomorrow, before each cut-off. One idempotency key per
/// plan, date and meal, so running twice (or on two nodes) books each meal once. A meal that cannot be booked
/// (full, elder in hospital, already ordered) is skipped and the elder told why.
/// </summary>
public sealed class MealPlanOrders(EldercareDb db, BookingEngine engine, BookingReminders reminders, TimeProvider clock, ILogger<MealPlanOrders> log)
{
    public async Task<int> PlaceAsync(CancellationToken ct)
    {
        var today = clock.Today();
        var plans = await db.MealPlans.AsNoTracking().Where(p => p.Status == MealPlanStatus.Active).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var booked = 0;
        foreach (var plan in plans)
        {
            foreach (var day in new[] { today, today.AddDays(1) }.Where(plan.RunsOn))
            {
                var slot = await db.Slots.AsNoTracking().SingleOrDefaultAsync(s => s.CatalogItemId == plan.MenuItemId && s.ResourceId == plan.ResourceId
                    && s.Date == day && s.MealPeriod == plan.Period, ct);
                if (slot is null || slot.CutoffAt < now) continue;
                var key = $"meal-plan:{plan.Id}:{day:yyyy-MM-dd}:{plan.Period}";
                var result = await engine.BookAsync(Actor.System with { Channel = plan.Channel }, new BookingRequest(plan.ElderId, slot.Id, plan.Mode), key, ct);
                if (result.Created) booked++;
                else if (result.Refusal is { } refusal && refusal.Problem != BookingProblems.ElderBusy)
                {
                    // Told once per meal, however many runs find the same problem.
                    var text = $"{day:M月d日}的长期订餐{(plan.Period == MealPeriod.Lunch ? "午餐" : "晚餐")}没有订上：{refusal.Problem.Title}。";
                    db.ChangeTracker.Clear();
                    if (await db.Reminders.AnyAsync(n => n.ElderId == plan.ElderId && n.Text == text, ct)) continue;
                    reminders.AddNotice(plan.ElderId, ReminderKind.BookingCancelled, null, now, text);
                    await db.SaveChangesAsync(ct);
                }
            }
        }
        if (booked > 0) log.LogInformation("Standing meal orders booked {Count} meals", booked);
        return booked;
    }
}

/// <summary>Runs the standing orders early each morning and early each afternoon, ahead of the lunch and dinner cut-offs.</summary>
public sealed class MealPlanOrdersJob(MealPlanOrders orders) : IJob
{
    public static readonly JobKey Key = new("meal-plan-orders", "booking");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await orders.PlaceAsync(ct);
}
