using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using QRCoder;

namespace Eldercare.Api.Features.Meals;

/// <summary>A meal code typed at the counter, or scanned (a scanner types the digits and Enter). Without a period, the time of day says which meal.</summary>
public sealed record MealCheckInRequest([property: Required, StringLength(20)] string MealCode, MealPeriod? Period);

/// <summary>A meal handed out; <c>UnpaidFen</c> is what the elder still owes for it (the counter takes it now, or the station follows up).</summary>
public sealed record MealCheckInResponse(long BookingId, int ElderId, string ElderName, int Age, string Menu, string Period, string Mode, DateTime ServedAt,
    long PayableFen, long PaidFen, long UnpaidFen);

/// <summary>The card printed for an elder, and the QR code the mini-program shows: the same code either way.</summary>
public sealed record MealCardResponse(int ElderId, string Name, string Community, string Station, string MealCode, string QrPng);

/// <summary>
/// Meals handed out at the counter of a station's meal point: staff type or scan the elder's meal code, and the
/// elder's meal of this period at this station is marked served, once.
/// </summary>
public static class MealCheckIn
{
    public static readonly Problem CodeInvalid = new("meal-code-invalid", 400, "餐卡号不对，请核对后重新输入");
    public static readonly Problem CodeUnknown = new("meal-code-unknown", 404, "没有这张餐卡，请核对后重新输入");
    public static readonly Problem NoMealBooked = new("no-meal-booked", 404, "这位老人这一餐没有在本站订餐");
    public static readonly Problem MealIsDelivered = new("meal-is-delivered", 409, "这份餐是送餐上门的，不在这里领取");
    public static readonly Problem CounterStaffOnly = new("counter-staff-only", 403, "只有驿站工作人员可以核销餐卡");

    /// <summary>Lunch is served until three in the afternoon (Beijing time); after that the counter serves dinner.</summary>
    private static readonly TimeOnly DinnerFrom = new(15, 0);

    public static void MapMealCheckIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/meal-checkins", async (MealCheckInRequest body, Actor actor, EldercareDb db, BookingEngine engine,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (!AccessPolicy.AtTheCounter(actor) || actor.StationId is not { } stationId) return CounterStaffOnly.ToResult();
            if (MealCode.Normalise(body.MealCode) is not { } code) return CodeInvalid.ToResult();
            var elder = await db.Elders.AsNoTracking().Where(e => e.MealCode == code).Select(e => new { e.Id, e.Name, e.BirthDate }).SingleOrDefaultAsync(ct);
            if (elder is null) return CodeUnknown.ToResult();

            var now = clock.BusinessNow();
            var today = DateOnly.FromDateTime(now);
            var period = body.Period ?? (TimeOnly.FromDateTime(now) < DinnerFrom ? MealPeriod.Lunch : MealPeriod.Dinner);
            var meals = await (
                    from b in db.Bookings.AsNoTracking()
                    join r in db.ServiceResources on b.ResourceId equals r.Id
                    where b.ElderId == elder.Id && b.Date == today && b.Line == ServiceLine.Meals && r.StationId == stationId
                        && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.Rejected
                    select b)
                .ToListAsync(ct);
            var meal = meals.Where(b => b.MealPeriod == period).OrderBy(b => Booking.Holding.Contains(b.Status) ? 0 : 1).FirstOrDefault();
            if (meal is null)
            {
                var other = meals.FirstOrDefault(b => b.MealPeriod != period);
                return NoMealBooked.ToResult($"{elder.Name}今天{PeriodName(period)}没有订餐" + (other is null ? "" : $"，订的是{PeriodName(other.MealPeriod)}"));
            }
            if (meal.Mode == ServiceModes.Delivery) return MealIsDelivered.ToResult($"{elder.Name}的{meal.ServiceName}");

            var result = await engine.ServeMealAsync(actor, meal.Id, ct);
            if (result.Refusal is { } refusal)
            {
                if (refusal.Problem != BookingProblems.MealAlreadyServed) return refusal.ToResult();
                var servedAt = await db.BookingEvents.Where(h => h.BookingId == meal.Id && h.ToStatus == BookingStatus.Completed)
                    .Select(h => (DateTime?)h.At).FirstOrDefaultAsync(ct);
                return refusal.Problem.ToResult($"{elder.Name}的{meal.ServiceName}已在{BusinessTime.ToBusinessTime(servedAt ?? meal.UpdatedAt):HH:mm}领取");
            }
            var served = result.Booking!;
            return Results.Ok(new MealCheckInResponse(served.Id, elder.Id, elder.Name, ElderRules.AgeOn(elder.BirthDate, today), served.ServiceName,
                period.ToString(), served.Mode.ToString(), served.UpdatedAt, served.PayableFen, served.PaidFen, served.PayableFen - served.PaidFen));
        }).WithTags("Meals").RequireAuthorization().Produces<MealCheckInResponse>().WithSummary("Hand out a meal: the elder's meal code, typed or scanned; the meal is marked served once");

        app.MapGet("/api/elders/{id:int}/meal-card", async (int id, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            if (await access.CheckElderAsync(actor, id, write: false, ct) is { } denied) return denied.ToResult();
            var card = await (
                    from e in db.Elders.AsNoTracking()
                    join c in db.Communities on e.CommunityId equals c.Id
                    join s in db.Stations on c.StationId equals s.Id
                    where e.Id == id
                    select new { e.Id, e.Name, e.MealCode, Community = c.Name, Station = s.Name })
                .SingleAsync(ct);
            return Results.Ok(new MealCardResponse(card.Id, card.Name, card.Community, card.Station, MealCode.Format(card.MealCode!), QrPngDataUri(card.MealCode!)));
        }).WithTags("Meals").RequireAuthorization().Produces<MealCardResponse>().WithSummary("An elder's meal card: the meal code and its QR code (PNG data URI)");
    }

    /// <summary>The QR code holds only the digits, so any scanner that types what it reads works at the counter.</summary>
    private static string QrPngDataUri(string code)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(10));
    }

    private static string PeriodName(MealPeriod? period) => period == MealPeriod.Dinner ? "晚餐" : "午餐";
}
