using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Reminders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Hotline;

public sealed record HelpRequestBody(
    [property: Range(1, int.MaxValue)] int ElderId,
    [property: Required, RegularExpression(HotlineRecords.CallIdPattern)] string CallId,
    HelpSource Source,
    bool PersonReached);

/// <summary>The request as recorded; CallBackAt is when the hotline will ring the elder (null when a person was reached).</summary>
public sealed record HelpRequestResponse(long Id, int ElderId, string Source, bool PersonReached, DateTime RequestedAt, DateTime? CallBackAt);

/// <summary>
/// The hotline tells the hub that an elder asked for a person: pressed 0 (or a key that means "help") in a check-in
/// call, or asked from the menu or the one-key terminal and nobody answered. The station gets a task at once; when
/// nobody answered, the hotline also calls the elder back after <see cref="ReminderOptions.CallBackAfter"/> and puts
/// them through again. A request that was met (a person answered an inbound call) needs neither and is not sent.
/// </summary>
public static class HelpRequests
{
    public static void MapHelpRequests(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/hotline/help-requests", async (HelpRequestBody body, Actor actor, EldercareDb db, IOptions<ReminderOptions> options,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Service) return CallerIdentification.HotlineOnly.ToResult();
            var elder = await db.Elders.AsNoTracking().Where(e => e.Id == body.ElderId).Select(e => new { e.Id, e.Name, e.Phone }).SingleOrDefaultAsync(ct);
            if (elder is null) return AccessPolicy.ElderNotFound.ToResult();
            var now = clock.GetUtcNow().UtcDateTime;
            var callBackAt = body.PersonReached ? (DateTime?)null : now + options.Value.CallBackAfter;

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // One request per call: the hotline may send it again after a lost answer.
            var written = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO help_requests (call_id, elder_id, source, person_reached, requested_at, call_back_at)
                VALUES ({body.CallId}, {body.ElderId}, {body.Source.ToString()}, {body.PersonReached}, {now}, {callBackAt})
                ON CONFLICT (call_id) DO NOTHING
                """, ct);
            if (written == 1)
            {
                var at = BusinessTime.ToBusinessTime(now).ToString("HH:mm");
                var asked = body.Source switch
                {
                    HelpSource.CheckIn => $"在{at}的问候电话里按了0，需要帮助",
                    HelpSource.CallOut => $"在{at}热线打去的电话里按了0，要找工作人员",
                    _ => $"{at}拨打热线找工作人员",
                };
                var outcome = body.PersonReached ? "已接通工作人员，请跟进。"
                    : $"没有工作人员接听。热线会在{BusinessTime.ToBusinessTime(callBackAt!.Value):HH:mm}回拨，请尽快联系老人（{elder.Phone}）。";
                db.Reminders.Add(new Reminder { ElderId = elder.Id, Kind = ReminderKind.HelpRequested, Text = $"{elder.Name}{asked}，{outcome}", CreatedAt = now, DueAt = now });
                if (callBackAt is { } due)
                    db.Reminders.Add(new Reminder { ElderId = elder.Id, Kind = ReminderKind.CallBack, Text = CallBackText, CreatedAt = now, DueAt = due });
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
            var saved = await db.HelpRequests.AsNoTracking().SingleAsync(h => h.CallId == body.CallId, ct);
            var response = new HelpRequestResponse(saved.Id, saved.ElderId, saved.Source.ToString(), saved.PersonReached, saved.RequestedAt, saved.CallBackAt);
            return written == 1 ? Results.Created($"/api/hotline/help-requests/{saved.Id}", response) : Results.Ok(response);
        }).WithTags("Hotline").RequireAuthorization()
          .Produces<HelpRequestResponse>(StatusCodes.Status201Created).Produces<HelpRequestResponse>().WithSummary("The hotline reports an elder who asked for a person: a task for the station, and a call back when nobody answered");

    /// <summary>What the call back says before it puts the elder through to a person.</summary>
    public const string CallBackText = "您刚才来电找工作人员，当时没有人接听，现在为您接通，请不要挂机。";
}
